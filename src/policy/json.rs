//! JSON text → a tree that remembers where every key and value stands, and refuses
//! duplicate keys.
//!
//! AWS Organizations rejects a policy whose JSON repeats a key ("Duplicate key names will
//! be rejected in JSON", Organizations backup policy syntax page, Considerations;
//! aws-backup-facts §1.1), but `serde_json` silently keeps the last one and keeps no
//! positions. So the text is read twice: `serde_json` first checks the syntax (its error
//! messages carry line and column and are the ones users know), then this small reader —
//! which only ever sees valid JSON — builds the positioned tree and reports every repeated
//! key with both positions. Strings and numbers are decoded by `serde_json` itself, so
//! escapes and number forms are exactly serde_json's.
//!
//! Talks to: `document` (the only caller). Pure: no I/O.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde_json::Number;

/// Where something stands in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A JSON value and the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub position: Position,
    pub value: Json,
}

/// A JSON value whose object members keep file order and positions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Object(Vec<Member>),
    Array(Vec<Node>),
    String(String),
    Number(Number),
    Bool(bool),
    Null,
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub key: String,
    /// Position of the key's opening quote.
    pub key_position: Position,
    pub node: Node,
}

/// A problem found while reading the text (syntax error or repeated key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadProblem {
    pub position: Option<Position>,
    pub path: String,
    pub message: String,
    pub help: Option<String>,
}

/// Reads `text`. A syntax error gives no tree and one problem; repeated keys give the tree
/// (each repeat dropped, the first kept) and one problem per repeat.
pub(crate) fn read(text: &str) -> (Option<Node>, Vec<ReadProblem>) {
    if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
        return (None, vec![syntax_problem(&e)]);
    }
    let mut reader = Reader {
        text,
        at: 0,
        line: 1,
        column: 1,
        problems: Vec::new(),
    };
    reader.skip_whitespace();
    match reader.value("") {
        Ok(node) => (Some(node), reader.problems),
        Err(message) => {
            // Unreachable for text serde_json accepted; reported rather than panicking.
            let position = Some(reader.position());
            let mut problems = reader.problems;
            problems.push(ReadProblem {
                position,
                path: String::new(),
                message: format!("cannot read the JSON here: {message}"),
                help: None,
            });
            (None, problems)
        }
    }
}

/// serde_json's message without its " at line L column C" tail (the position is shown
/// in front, as for every other problem).
fn syntax_problem(e: &serde_json::Error) -> ReadProblem {
    let full = e.to_string();
    let tail = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&tail).unwrap_or(&full).to_string();
    let position = (e.line() > 0).then_some(Position {
        line: e.line(),
        column: e.column().max(1),
    });
    ReadProblem {
        position,
        path: String::new(),
        message: format!("malformed JSON: {message}"),
        help: Some("a backup policy is a JSON document; fix the syntax at this position".into()),
    }
}

/// The JSON path of `key` inside the object at `parent` (`plans.Prod.regions`). Keys that
/// would make the path ambiguous (dots, spaces, quotes, brackets, empty) are quoted.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    let needs_quotes = key.is_empty()
        || key
            .chars()
            .any(|c| c == '.' || c == '"' || c == '[' || c == ']' || c.is_whitespace());
    let key = if needs_quotes {
        serde_json::to_string(key).unwrap_or_else(|_| key.to_string())
    } else {
        key.to_string()
    };
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}

/// A cursor over text that serde_json has already accepted as one JSON value.
struct Reader<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
    line: usize,
    column: usize,
    problems: Vec<ReadProblem>,
}

impl Reader<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Advances over one character (never a newline inside a token).
    fn bump(&mut self) -> Option<char> {
        let c = self.text[self.at..].chars().next()?;
        self.at += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(format!("expected `{}`", byte as char))
        }
    }

    fn value(&mut self, path: &str) -> Result<Node, String> {
        let position = self.position();
        let value = match self.peek() {
            Some(b'{') => self.object(path)?,
            Some(b'[') => self.array(path)?,
            Some(b'"') => Json::String(self.string()?),
            Some(b't') => self.word("true", Json::Bool(true))?,
            Some(b'f') => self.word("false", Json::Bool(false))?,
            Some(b'n') => self.word("null", Json::Null)?,
            Some(_) => Json::Number(self.number()?),
            None => return Err("unexpected end of text".into()),
        };
        Ok(Node { position, value })
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.text[self.at..].starts_with(word) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(value)
        } else {
            Err(format!("expected `{word}`"))
        }
    }

    /// A string token, decoded by serde_json (escapes, surrogate pairs).
    fn string(&mut self) -> Result<String, String> {
        let start = self.at;
        self.expect(b'"')?;
        loop {
            match self.bump() {
                Some('\\') => {
                    self.bump();
                }
                Some('"') => break,
                Some(_) => {}
                None => return Err("unterminated string".into()),
            }
        }
        serde_json::from_str::<String>(&self.text[start..self.at]).map_err(|e| e.to_string())
    }

    fn number(&mut self) -> Result<Number, String> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.bump();
        }
        serde_json::from_str::<Number>(&self.text[start..self.at]).map_err(|e| e.to_string())
    }

    fn array(&mut self, path: &str) -> Result<Json, String> {
        self.expect(b'[')?;
        self.skip_whitespace();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_whitespace();
            let item_path = format!("{path}[{}]", items.len());
            items.push(self.value(&item_path)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b']') => {
                    self.bump();
                    return Ok(Json::Array(items));
                }
                _ => return Err("expected `,` or `]`".into()),
            }
        }
    }

    fn object(&mut self, path: &str) -> Result<Json, String> {
        self.expect(b'{')?;
        self.skip_whitespace();
        let mut members: Vec<Member> = Vec::new();
        let mut first_seen: BTreeMap<String, Position> = BTreeMap::new();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_position = self.position();
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let member_path = child_path(path, &key);
            let node = self.value(&member_path)?;
            match first_seen.get(&key) {
                Some(first) => self.problems.push(ReadProblem {
                    position: Some(key_position),
                    path: member_path,
                    message: format!(
                        "duplicate key `{key}` (first at line {} column {})",
                        first.line, first.column
                    ),
                    help: Some(
                        "AWS Organizations rejects a policy whose JSON repeats a key; \
                         keep one and merge the other into it"
                            .into(),
                    ),
                }),
                None => {
                    first_seen.insert(key.clone(), key_position);
                    members.push(Member {
                        key,
                        key_position,
                        node,
                    });
                }
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b'}') => {
                    self.bump();
                    return Ok(Json::Object(members));
                }
                _ => return Err("expected `,` or `}`".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let text = "{\n  \"a\": {\"b\": [1, \"x\"]},\n  \"c\": true\n}";
        let (node, problems) = read(text);
        assert!(problems.is_empty());
        let node = node.expect("valid");
        assert_eq!(node.position, pos(1, 1));
        let Json::Object(members) = &node.value else {
            panic!("object")
        };
        assert_eq!(members[0].key, "a");
        assert_eq!(members[0].key_position, pos(2, 3));
        assert_eq!(members[0].node.position, pos(2, 8));
        let Json::Object(inner) = &members[0].node.value else {
            panic!("object")
        };
        let Json::Array(items) = &inner[0].node.value else {
            panic!("array")
        };
        assert_eq!(items[1].position, pos(2, 18));
        assert_eq!(items[1].value, Json::String("x".into()));
        assert_eq!(members[1].key_position, pos(3, 3));
        assert_eq!(members[1].node.value, Json::Bool(true));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (node, _) = read("{\"é\": \"ü\", \"k\": 1}");
        let Json::Object(members) = node.expect("valid").value else {
            panic!("object")
        };
        assert_eq!(members[1].key_position, pos(1, 12));
    }

    #[test]
    fn decodes_escapes_like_serde_json() {
        let (node, _) = read(r#"["a\"b", "\u00e9\n", -1.5e3, 12]"#);
        let Json::Array(items) = node.expect("valid").value else {
            panic!("array")
        };
        assert_eq!(items[0].value, Json::String("a\"b".into()));
        assert_eq!(items[1].value, Json::String("é\n".into()));
        assert_eq!(
            items[2].value,
            Json::Number(Number::from_f64(-1500.0).unwrap())
        );
        assert_eq!(items[3].value, Json::Number(12.into()));
    }

    #[test]
    fn syntax_errors_carry_serde_json_line_and_column() {
        let (node, problems) = read("{\n  \"a\": 1,\n  \"b\" 2\n}");
        assert!(node.is_none());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].position, Some(pos(3, 7)));
        assert_eq!(problems[0].message, "malformed JSON: expected `:`");
    }

    #[test]
    fn every_duplicate_key_is_reported_with_both_positions() {
        let text = "{\"plans\": {\"P\": {\"regions\": 1, \"regions\": 2}},\n \"plans\": {}}";
        let (node, problems) = read(text);
        assert!(node.is_some());
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].path, "plans.P.regions");
        assert_eq!(problems[0].position, Some(pos(1, 32)));
        assert_eq!(
            problems[0].message,
            "duplicate key `regions` (first at line 1 column 18)"
        );
        assert_eq!(problems[1].path, "plans");
        assert_eq!(problems[1].position, Some(pos(2, 2)));
    }

    #[test]
    fn paths_quote_ambiguous_keys() {
        assert_eq!(child_path("", "plans"), "plans");
        assert_eq!(child_path("plans", "a.b"), "plans.\"a.b\"");
        assert_eq!(
            child_path("x", "arn:aws:backup:us-west-2:$account:backup-vault:DR"),
            "x.arn:aws:backup:us-west-2:$account:backup-vault:DR"
        );
    }
}
