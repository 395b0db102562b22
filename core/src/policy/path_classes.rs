//! Which facts about a file the policies can observe, so that paths the
//! policies cannot tell apart share one answer (the gate and `audit` judge
//! thousands of paths with a handful of policies).
//!
//! A `File` resource enters a policy only through *atoms*: `resource in
//! Dir::"d/"` (or `File::"p"`), `resource == File::"p"`, `resource.A ==
//! "s"` (or `!=`), `resource.A like "pattern"`, `resource has A`, `resource
//! is T`, and the same in the scope (`resource in ...`, `resource is ...`).
//! Cedar evaluates a policy from its atoms' truth values (with the same
//! principal, action, context and other entities), so two paths for which
//! every atom of every policy has the same value get the same decision, the
//! same deciding policies and the same sign-off answer.
//!
//! The scan is conservative: a policy that uses `resource` in any other way
//! (an attribute passed to a function, compared with something that is not
//! a literal, used bare) makes the classifier unavailable, and every path
//! is then judged on its own. A differential test holds the shared answers
//! equal to the plain ones.

use std::collections::{HashMap, HashSet};

use cedar_policy::PolicySet;
use serde_json::Value;

use crate::vocab::FileKind;

/// One fact about a file that a policy can observe.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Atom {
    /// `resource in Dir::"d"` (true for the `Dir` chain of the path).
    InDir(String),
    /// `resource == File::"p"` or `resource in File::"p"`.
    IsFile(String),
    /// `resource.attr == "value"`.
    AttrEq(String, String),
    /// `resource.attr like pattern`.
    AttrLike(String, Vec<Piece>),
}

/// A `like` pattern element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Piece {
    Wildcard,
    Literal(String),
}

/// The class of a path: the atoms true of it (sorted ids), and its kind
/// (always part of the key: it is an attribute).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathClass {
    atoms: Vec<u32>,
    kind: FileKind,
}

/// Computes [`PathClass`]es for one policy set.
#[derive(Debug, Default)]
pub struct PathClassifier {
    dirs: HashMap<String, u32>,
    files: HashMap<String, u32>,
    /// `resource.A == "v"`, per attribute (in [`FILE_ATTRS`] order).
    attr_eq: [HashMap<String, u32>; 4],
    /// `resource.A like p`: the attribute's index in [`FILE_ATTRS`] (none:
    /// an attribute a `File` lacks, which `like` sees as ""), the pattern
    /// as bytes (`None` is the wildcard), the atom.
    likes: Vec<(Option<usize>, Vec<Option<u8>>, u32)>,
}

/// The attributes a `File` has (schema: path, name, ext, kind).
const FILE_ATTRS: &[&str] = &["path", "name", "ext", "kind"];

impl PathClassifier {
    /// The classifier for `policies`, or `None` when some policy observes
    /// the resource in a way the classes do not capture.
    pub fn new(policies: &PolicySet) -> Option<PathClassifier> {
        let mut atoms = HashSet::new();
        for p in policies.policies() {
            let json = p.to_json().ok()?;
            scan_policy(&json, &mut atoms).ok()?;
        }
        let mut c = PathClassifier::default();
        for (i, a) in atoms.into_iter().enumerate() {
            let id = u32::try_from(i).ok()?;
            match a {
                Atom::InDir(d) => {
                    c.dirs.insert(d, id);
                }
                Atom::IsFile(p) => {
                    c.files.insert(p, id);
                }
                Atom::AttrEq(a, v) => {
                    // An attribute a `File` lacks equals nothing.
                    if let Some(i) = FILE_ATTRS.iter().position(|f| *f == a) {
                        c.attr_eq[i].insert(v, id);
                    }
                }
                Atom::AttrLike(a, p) => {
                    let bytes = p
                        .iter()
                        .flat_map(|piece| match piece {
                            Piece::Wildcard => vec![None],
                            Piece::Literal(s) => s.bytes().map(Some).collect(),
                        })
                        .collect();
                    c.likes
                        .push((FILE_ATTRS.iter().position(|f| *f == a), bytes, id));
                }
            }
        }
        Some(c)
    }

    /// The class of `path` with `kind`.
    pub fn class(&self, path: &str, kind: FileKind) -> PathClass {
        let mut atoms = Vec::new();
        // The Dir chain: every prefix ending in '/', and "" for a relative
        // path (an absolute one's root is "/").
        if !path.starts_with('/')
            && let Some(id) = self.dirs.get("")
        {
            atoms.push(*id);
        }
        for (i, b) in path.bytes().enumerate() {
            if b == b'/'
                && let Some(id) = self.dirs.get(&path[..=i])
            {
                atoms.push(*id);
            }
        }
        if let Some(id) = self.files.get(path) {
            atoms.push(*id);
        }
        let (name, ext) = name_ext(path);
        // In FILE_ATTRS order.
        let values = [path, name, ext, kind.as_str()];
        for (map, value) in self.attr_eq.iter().zip(values) {
            if let Some(id) = map.get(value) {
                atoms.push(*id);
            }
        }
        for (attr, pattern, id) in &self.likes {
            let value = attr.map_or("", |i| values[i]);
            if like(value.as_bytes(), pattern) {
                atoms.push(*id);
            }
        }
        atoms.sort_unstable();
        PathClass { atoms, kind }
    }
}

/// `name` and `ext` of a path, as the request builder computes them.
fn name_ext(path: &str) -> (&str, &str) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    };
    (name, ext)
}

/// Cedar's `like`: `*` (`None`) matches any run of characters (escaped
/// stars are literal already). Matched on UTF-8 bytes, which is the same
/// as on characters: a literal starts on a character boundary, so a
/// wildcard can only stop where one does.
fn like(t: &[u8], p: &[Option<u8>]) -> bool {
    // Classic glob matching with backtracking to the last wildcard.
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(None) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(Some(c)) if *c == t[ti] => {
                ti += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(Option::is_none)
}

/// A use of `resource` the classes do not capture.
struct Unknown;

fn scan_policy(policy: &Value, atoms: &mut HashSet<Atom>) -> Result<(), Unknown> {
    if let Some(scope) = policy.get("resource") {
        scan_scope(scope, atoms)?;
    }
    if let Some(conditions) = policy.get("conditions").and_then(Value::as_array) {
        for c in conditions {
            scan(c.get("body").ok_or(Unknown)?, atoms)?;
        }
    }
    Ok(())
}

fn scan_scope(scope: &Value, atoms: &mut HashSet<Atom>) -> Result<(), Unknown> {
    match scope.get("op").and_then(Value::as_str) {
        Some("All") => Ok(()),
        Some("==") => {
            let (t, id) = scope_entity(scope.get("entity"))?;
            entity_atom(&t, &id, atoms)
        }
        Some("in") => {
            let (t, id) = scope_entity(scope.get("entity"))?;
            entity_atom(&t, &id, atoms)
        }
        Some("is") => match scope.get("in") {
            None => Ok(()),
            Some(inner) => {
                let (t, id) = scope_entity(inner.get("entity"))?;
                entity_atom(&t, &id, atoms)
            }
        },
        _ => Err(Unknown),
    }
}

fn scope_entity(v: Option<&Value>) -> Result<(String, String), Unknown> {
    let v = v.ok_or(Unknown)?;
    let v = v.get("__entity").unwrap_or(v);
    Ok((
        v.get("type")
            .and_then(Value::as_str)
            .ok_or(Unknown)?
            .to_string(),
        v.get("id")
            .and_then(Value::as_str)
            .ok_or(Unknown)?
            .to_string(),
    ))
}

/// `resource in E` / `resource == E` for an entity literal `E`: only `Dir`
/// and `File` literals can hold a file.
fn entity_atom(t: &str, id: &str, atoms: &mut HashSet<Atom>) -> Result<(), Unknown> {
    match t {
        "Dir" => {
            atoms.insert(Atom::InDir(id.to_string()));
        }
        "File" => {
            atoms.insert(Atom::IsFile(id.to_string()));
        }
        // Any other type is never a file's ancestor: the atom is false for
        // every path, so it tells no paths apart.
        _ => {}
    }
    Ok(())
}

fn is_resource(v: &Value) -> bool {
    v.get("Var").and_then(Value::as_str) == Some("resource")
}

/// An entity literal (`{"Value": {"__entity": ...}}`).
fn entity_literal(v: &Value) -> Option<(String, String)> {
    let e = v.get("Value")?.get("__entity")?;
    Some((
        e.get("type")?.as_str()?.to_string(),
        e.get("id")?.as_str()?.to_string(),
    ))
}

fn string_literal(v: &Value) -> Option<String> {
    v.get("Value")?.as_str().map(str::to_string)
}

/// `resource.attr` for one of a file's attributes.
fn resource_attr(v: &Value) -> Option<String> {
    let g = v.get(".")?;
    if !is_resource(g.get("left")?) {
        return None;
    }
    let attr = g.get("attr")?.as_str()?;
    FILE_ATTRS.contains(&attr).then(|| attr.to_string())
}

fn scan(expr: &Value, atoms: &mut HashSet<Atom>) -> Result<(), Unknown> {
    match expr {
        Value::Object(map) => {
            if is_resource(expr) {
                return Err(Unknown);
            }
            if let Some(inner) = map.get("in") {
                let (l, r) = (inner.get("left"), inner.get("right"));
                if let (Some(l), Some(r)) = (l, r)
                    && is_resource(l)
                {
                    let literals: Option<Vec<(String, String)>> = match r.get("Set") {
                        Some(Value::Array(items)) => items.iter().map(entity_literal).collect(),
                        _ => entity_literal(r).map(|e| vec![e]),
                    };
                    let literals = literals.ok_or(Unknown)?;
                    for (t, id) in literals {
                        entity_atom(&t, &id, atoms)?;
                    }
                    return Ok(());
                }
            }
            for op in ["==", "!="] {
                if let Some(inner) = map.get(op)
                    && let (Some(l), Some(r)) = (inner.get("left"), inner.get("right"))
                {
                    for (a, b) in [(l, r), (r, l)] {
                        if is_resource(a) {
                            let (t, id) = entity_literal(b).ok_or(Unknown)?;
                            return entity_atom(&t, &id, atoms);
                        }
                        if let Some(attr) = resource_attr(a) {
                            let s = string_literal(b).ok_or(Unknown)?;
                            atoms.insert(Atom::AttrEq(attr, s));
                            return Ok(());
                        }
                    }
                }
            }
            if let Some(inner) = map.get("like")
                && let Some(l) = inner.get("left")
                && let Some(attr) = resource_attr(l)
            {
                let pattern = inner
                    .get("pattern")
                    .and_then(Value::as_array)
                    .ok_or(Unknown)?
                    .iter()
                    .map(|p| match p {
                        Value::String(s) if s == "Wildcard" => Ok(Piece::Wildcard),
                        Value::Object(o) => o
                            .get("Literal")
                            .and_then(Value::as_str)
                            .map(|s| Piece::Literal(s.to_string()))
                            .ok_or(Unknown),
                        _ => Err(Unknown),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                atoms.insert(Atom::AttrLike(attr, pattern));
                return Ok(());
            }
            if let Some(inner) = map.get(".")
                && inner.get("left").is_some_and(is_resource)
            {
                // A file attribute used in a way the atoms do not capture
                // tells paths apart in ways unknown; any other attribute
                // (a Channel's `visibility`, a Command's `line`) a File does
                // not have: reading it errors, or a guard keeps it unread,
                // the same for every file.
                let attr = inner.get("attr").and_then(Value::as_str).unwrap_or("");
                return if FILE_ATTRS.contains(&attr) {
                    Err(Unknown)
                } else {
                    Ok(())
                };
            }
            if let Some(inner) = map.get("has")
                && inner.get("left").is_some_and(is_resource)
            {
                // A file always has exactly its declared attributes.
                return Ok(());
            }
            if let Some(inner) = map.get("is")
                && inner.get("left").is_some_and(is_resource)
            {
                // The resource is always a File: the type test is constant.
                if let Some(r) = inner.get("in") {
                    let literals: Option<Vec<(String, String)>> = match r.get("Set") {
                        Some(Value::Array(items)) => items.iter().map(entity_literal).collect(),
                        _ => entity_literal(r).map(|e| vec![e]),
                    };
                    for (t, id) in literals.ok_or(Unknown)? {
                        entity_atom(&t, &id, atoms)?;
                    }
                }
                return Ok(());
            }
            for v in map.values() {
                scan(v, atoms)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for v in items {
                scan(v, atoms)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(src: &str) -> Option<PathClassifier> {
        PathClassifier::new(&src.parse::<PolicySet>().unwrap())
    }

    #[test]
    fn paths_the_policies_cannot_tell_apart_share_a_class() {
        let c = classifier(
            r#"forbid (principal, action, resource in Dir::".github/");
               forbid (principal, action, resource) when { resource.name == "CODEOWNERS" };
               forbid (principal, action, resource) when { resource.path like "*.cedar" };
               permit (principal, action, resource);"#,
        )
        .unwrap();
        let f = FileKind::File;
        assert_eq!(c.class("src/a.rs", f), c.class("lib/deep/b.py", f));
        assert_ne!(c.class("src/a.rs", f), c.class(".github/ci.yml", f));
        assert_eq!(
            c.class(".github/workflows/ci.yml", f),
            c.class(".github/x", f)
        );
        assert_ne!(c.class("src/CODEOWNERS", f), c.class("src/OWNERS", f));
        assert_ne!(c.class("policies/a.cedar", f), c.class("policies/a.rs", f));
        assert_ne!(
            c.class("src/a.rs", f),
            c.class("src/a.rs", FileKind::Symlink)
        );
    }

    #[test]
    fn unrecognised_uses_of_the_resource_disable_classes() {
        assert!(
            classifier(
                r#"permit (principal, action, resource) when { ["yml"].contains(resource.ext) };"#
            )
            .is_none()
        );
        assert!(
            classifier(
                r#"permit (principal, action, resource) when { resource.path == context.path };"#
            )
            .is_none()
        );
        assert!(
            classifier(r#"permit (principal, action, resource) when { principal == resource };"#)
                .is_none()
        );
        assert!(classifier(r#"permit (principal, action, resource) when { resource in [Dir::"a/", Dir::"b/"] };"#).is_some());
        // Attributes a File does not have read the same for every file.
        assert!(
            classifier(
                r#"forbid (principal, action, resource) when { resource.line like "*.github/*" };"#
            )
            .is_some()
        );
        assert!(classifier(r#"forbid (principal, action, resource) when { resource has visibility && resource.visibility == context.v };"#).is_some());
        assert!(
            classifier(
                r#"forbid (principal, action, resource) when { resource.path == context.p };"#
            )
            .is_none()
        );
    }

    #[test]
    fn like_matches_as_cedar_does() {
        let p =
            |s: &str| -> Vec<Option<u8>> { s.bytes().map(|b| (b != b'*').then_some(b)).collect() };
        let like = |t: &str, p: &[Option<u8>]| like(t.as_bytes(), p);
        assert!(like("a/b.cedar", &p("*.cedar")));
        assert!(!like("a/b.cedarx", &p("*.cedar")));
        assert!(like("abc", &p("a*c")));
        assert!(like("ac", &p("a*c")));
        assert!(like("aXbYc", &p("a*b*c")));
        assert!(!like("aXbY", &p("a*b*c")));
        assert!(like("", &p("*")));
        assert!(like("x", &p("x")));
        assert!(!like("xy", &p("x")));
        // Characters of several bytes: a wildcard takes whole characters.
        assert!(like("xéy", &p("x*y")));
        assert!(like("é/ü.md", &p("é*ü*")));
        assert!(!like("é", &p("e*")));
        assert!(like("日本語", &p("*本*")));
        assert!(!like("日本", &p("*本?")));
    }
}
