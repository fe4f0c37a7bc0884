//! The AWS resource types AWS Backup protects that vaultsim models.

use std::fmt;

/// A resource type, named as AWS Backup names it in its job reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    Ebs,
    Ec2,
    Rds,
    Aurora,
    DynamoDb,
    Efs,
    S3,
    Fsx,
    DocumentDb,
    Neptune,
}

impl ResourceType {
    /// Every type, in a fixed order (the order of `Model::behaviour`).
    pub const ALL: [ResourceType; 10] = [
        ResourceType::Ebs,
        ResourceType::Ec2,
        ResourceType::Rds,
        ResourceType::Aurora,
        ResourceType::DynamoDb,
        ResourceType::Efs,
        ResourceType::S3,
        ResourceType::Fsx,
        ResourceType::DocumentDb,
        ResourceType::Neptune,
    ];

    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Ebs => "EBS",
            ResourceType::Ec2 => "EC2",
            ResourceType::Rds => "RDS",
            ResourceType::Aurora => "Aurora",
            ResourceType::DynamoDb => "DynamoDB",
            ResourceType::Efs => "EFS",
            ResourceType::S3 => "S3",
            ResourceType::Fsx => "FSx",
            ResourceType::DocumentDb => "DocumentDB",
            ResourceType::Neptune => "Neptune",
        }
    }

    /// Parses a name as written in a scenario (exact spelling, as AWS writes it).
    pub fn parse(name: &str) -> Option<ResourceType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The comma-separated list of valid names, for error messages.
    pub fn valid_names() -> String {
        Self::ALL.map(|t| t.name()).join(", ")
    }

    /// An ARN for a resource of this type, used to match `resources` selections.
    pub fn arn(self, region: &str, account: &str, name: &str) -> String {
        match self {
            ResourceType::Ebs => format!("arn:aws:ec2:{region}:{account}:volume/{name}"),
            ResourceType::Ec2 => format!("arn:aws:ec2:{region}:{account}:instance/{name}"),
            ResourceType::Rds => format!("arn:aws:rds:{region}:{account}:db:{name}"),
            ResourceType::Aurora => format!("arn:aws:rds:{region}:{account}:cluster:{name}"),
            ResourceType::DynamoDb => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{name}")
            }
            ResourceType::Efs => {
                format!("arn:aws:elasticfilesystem:{region}:{account}:file-system/{name}")
            }
            ResourceType::S3 => format!("arn:aws:s3:::{name}"),
            ResourceType::Fsx => format!("arn:aws:fsx:{region}:{account}:file-system/{name}"),
            ResourceType::DocumentDb => format!("arn:aws:rds:{region}:{account}:cluster:{name}"),
            ResourceType::Neptune => format!("arn:aws:rds:{region}:{account}:cluster:{name}"),
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ResourceType::ALL {
            assert_eq!(ResourceType::parse(t.name()), Some(t));
        }
        assert_eq!(ResourceType::parse("ebs"), None);
    }
}
