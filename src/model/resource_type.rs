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

/// What AWS documents that AWS Backup can do with one resource type. These are AWS's
/// facts, not choices of a scenario: `scenario::resolve` refuses a `[resource_types.X]`
/// that claims more than this, and `cost::load_catalog` refuses a price catalog whose
/// `billing.cold_types` or `billing.gb_day_types` disagrees with it: both checks read
/// this one table ([`ResourceType::capabilities`]), so the two files cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Recovery points can move to cold storage. For other types AWS Backup ignores a
    /// lifecycle's `MoveToColdStorageAfterDays` (API reference, `Lifecycle`).
    pub cold_storage: bool,
    /// Continuous backup (point-in-time recovery): how far the newest restorable point
    /// lags behind the present, in minutes, as AWS documents it; `None`: no continuous
    /// backup for this type.
    pub continuous_lag_minutes: Option<u32>,
    /// Later backups move only the data changed since the previous one: `Some(true)`
    /// where AWS documents it, `Some(false)` where AWS documents full backups every time,
    /// `None` where AWS documents nothing definite (the scenario decides).
    pub incremental: Option<bool>,
    /// Backup storage is metered per GB-day, a day with any byte stored billed whole.
    pub billed_per_gb_day: bool,
}

impl ResourceType {
    /// What AWS documents for this type: the table the scenario check, the price
    /// catalog's check and `docs/scenario.md` all follow. Sources:
    ///
    /// - cold storage: <https://aws.amazon.com/backup/pricing/> (footnotes: cold storage
    ///   for EBS, EFS, DynamoDB with AWS Backup's advanced DynamoDB features, Timestream,
    ///   SAP HANA on EC2 and VMware; none for the other types);
    ///   <https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html>;
    ///   EBS cold storage is the EBS Snapshots Archive tier:
    ///   <https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-archive.html>;
    ///   the transition is ignored for other types:
    ///   <https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html>
    /// - continuous backup: S3, RDS, Aurora (and SAP HANA on EC2) only; RDS and Aurora
    ///   restorable to about the last 5 minutes, S3 to the last 15:
    ///   <https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html>
    /// - incremental: the first backup is full, later ones incremental where the service
    ///   supports it; Aurora snapshots are full, its incremental protection is continuous
    ///   backup (feature-availability page above, with its footnote;
    ///   <https://docs.aws.amazon.com/aws-backup/latest/devguide/about-backup-plans.html>)
    /// - GB-day metering: <https://aws.amazon.com/backup/pricing/> (footnote: EFS, S3,
    ///   VMware, SAP HANA on EC2 and Timestream)
    pub const fn capabilities(self) -> Capabilities {
        let (cold_storage, continuous_lag_minutes, incremental, billed_per_gb_day) = match self {
            // Snapshots are incremental:
            // https://docs.aws.amazon.com/ebs/latest/userguide/ebs-snapshots.html
            ResourceType::Ebs => (true, None, Some(true), false),
            // An EC2 backup is an AMI whose volumes are EBS snapshots (as EBS).
            ResourceType::Ec2 => (false, None, Some(true), false),
            // Snapshots after the first hold only changed data:
            // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
            ResourceType::Rds => (false, Some(5), Some(true), false),
            ResourceType::Aurora => (false, Some(5), Some(false), false),
            // Cold storage only with AWS Backup's advanced DynamoDB features.
            ResourceType::DynamoDb => (true, None, None, false),
            // https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html (incremental backups)
            ResourceType::Efs => (true, None, Some(true), true),
            // Periodic and continuous: a full first backup, incremental ones after it:
            // https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html
            ResourceType::S3 => (false, Some(15), Some(true), true),
            // https://docs.aws.amazon.com/fsx/latest/WindowsGuide/using-backups.html
            ResourceType::Fsx => (false, None, Some(true), false),
            ResourceType::DocumentDb => (false, None, None, false),
            ResourceType::Neptune => (false, None, None, false),
        };
        Capabilities {
            cold_storage,
            continuous_lag_minutes,
            incremental,
            billed_per_gb_day,
        }
    }

    /// The types for which `has` holds, comma-separated, for messages.
    pub fn names_where(has: impl Fn(Capabilities) -> bool) -> String {
        let names: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|t| has(t.capabilities()))
            .map(ResourceType::name)
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
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

    /// The table says what AWS documents (the sources are on `capabilities`).
    #[test]
    fn capabilities_follow_aws() {
        let with = |has: fn(Capabilities) -> bool| ResourceType::names_where(has);
        assert_eq!(with(|c| c.cold_storage), "EBS, DynamoDB, EFS");
        assert_eq!(
            with(|c| c.continuous_lag_minutes.is_some()),
            "RDS, Aurora, S3"
        );
        assert_eq!(
            ResourceType::Rds.capabilities().continuous_lag_minutes,
            Some(5)
        );
        assert_eq!(
            ResourceType::S3.capabilities().continuous_lag_minutes,
            Some(15)
        );
        assert_eq!(with(|c| c.incremental == Some(false)), "Aurora");
        assert_eq!(
            with(|c| c.incremental.is_none()),
            "DynamoDB, DocumentDB, Neptune"
        );
        assert_eq!(with(|c| c.billed_per_gb_day), "EFS, S3");
    }
}
