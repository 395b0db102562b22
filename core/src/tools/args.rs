//! Reading a tool call's arguments by path: `path`, `body.kind`,
//! `files[].path` (every element of an array), `to` (a string or an array
//! of strings). Scalars are read as text; anything else is skipped.

use serde_json::{Map, Value};

/// Every scalar value at `path` in `args`, as text, in order.
pub fn values(args: &Map<String, Value>, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let root = Value::Object(args.clone());
    collect(&root, &split(path), &mut out);
    out
}

/// Whether `path` has a value (any value but `null`).
pub fn present(args: &Map<String, Value>, path: &str) -> bool {
    let root = Value::Object(args.clone());
    let mut found = false;
    visit(&root, &split(path), &mut |v| found |= !v.is_null());
    found
}

/// The path's steps: `files[].path` -> `files`, `[]`, `path`.
fn split(path: &str) -> Vec<&str> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        match part.strip_suffix("[]") {
            Some(name) => {
                if !name.is_empty() {
                    steps.push(name);
                }
                steps.push("[]");
            }
            None => steps.push(part),
        }
    }
    steps
}

fn visit(v: &Value, steps: &[&str], f: &mut dyn FnMut(&Value)) {
    let Some((first, rest)) = steps.split_first() else {
        f(v);
        return;
    };
    match (*first, v) {
        ("[]", Value::Array(items)) => items.iter().for_each(|i| visit(i, rest, f)),
        ("[]", _) => {}
        (key, Value::Object(m)) => {
            if let Some(next) = m.get(key) {
                visit(next, rest, f);
            }
        }
        _ => {}
    }
}

fn collect(v: &Value, steps: &[&str], out: &mut Vec<String>) {
    visit(v, steps, &mut |leaf| match leaf {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        // A plain array of scalars at the end of the path counts too: `to`
        // may be "a@x" or ["a@x", "b@y"].
        Value::Array(items) => {
            for i in items {
                match i {
                    Value::String(s) => out.push(s.clone()),
                    Value::Number(n) => out.push(n.to_string()),
                    _ => {}
                }
            }
        }
        _ => {}
    });
}

/// Fill `{a}` / `{a|b}` placeholders from arguments (the first of the
/// alternatives that has a value). `None` when a placeholder has none.
pub fn template(args: &Map<String, Value>, template: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c)?;
        let value = rest[open + 1..close]
            .split('|')
            .find_map(|p| values(args, p.trim()).into_iter().next())?;
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn paths_read_scalars_arrays_and_nested_values() {
        let a = obj(json!({
            "to": ["a@x.org", "b@y.org"], "cc": "c@z.org", "n": 42,
            "files": [{"path": "a.rs"}, {"path": ".github/x.yml"}, {"nope": 1}],
            "body": {"Message": {"toRecipients": [{"emailAddress": {"address": "d@w.org"}}]}}
        }));
        assert_eq!(values(&a, "to"), vec!["a@x.org", "b@y.org"]);
        assert_eq!(values(&a, "to[]"), vec!["a@x.org", "b@y.org"]);
        assert_eq!(values(&a, "cc"), vec!["c@z.org"]);
        assert_eq!(values(&a, "n"), vec!["42"]);
        assert_eq!(values(&a, "files[].path"), vec!["a.rs", ".github/x.yml"]);
        assert_eq!(
            values(&a, "body.Message.toRecipients[].emailAddress.address"),
            vec!["d@w.org"]
        );
        assert!(values(&a, "missing.x").is_empty());
        assert!(present(&a, "cc") && !present(&a, "bcc"));
    }

    #[test]
    fn templates_take_the_first_alternative_with_a_value() {
        let a = obj(json!({"owner": "octo", "repo": "app", "pullNumber": 7}));
        assert_eq!(
            template(&a, "{owner}/{repo}#{issue_number|pullNumber}").as_deref(),
            Some("octo/app#7")
        );
        assert_eq!(template(&a, "{owner}/{nope}"), None);
        assert_eq!(template(&a, "{owner").as_deref(), None);
    }
}
