//! What is acted on: a repository path (as git stores it), or any other
//! entity by its uid.

use cedar_policy::EntityUid;
use serde::{Deserialize, Serialize};

use super::SyntaxError;
use super::uid::{cedar_string, parse_uid, uid};

/// How git stores a path.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file.
    #[default]
    File,
    /// A regular file with the executable bit.
    Executable,
    /// A symbolic link.
    Symlink,
    /// A submodule (gitlink).
    Submodule,
}

impl FileKind {
    /// The `File.kind` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Executable => "executable",
            FileKind::Symlink => "symlink",
            FileKind::Submodule => "submodule",
        }
    }
}

/// What is acted on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// A path: repository-relative (`a/b.rs`), or absolute (`/etc/x`) for a
    /// file outside the repository at run time.
    File {
        /// The path, as git stores it (non-UTF-8 bytes escaped as `\xNN`).
        path: String,
        /// How it is stored.
        kind: FileKind,
    },
    /// Any other entity, by uid text (`Url::"https://..."`).
    Entity(String),
}

impl Resource {
    /// Parse a Cedar uid (`Url::"https://x"`), or else a path (which becomes
    /// a `File`).
    pub fn parse(s: &str) -> Result<Resource, SyntaxError> {
        if s.is_empty() {
            return Err(SyntaxError("resource is empty".into()));
        }
        if s.contains("::\"")
            && let Ok(uid) = s.parse::<EntityUid>()
        {
            if uid.type_name().to_string() == "File" {
                return Ok(Resource::File {
                    path: uid.id().unescaped().to_string(),
                    kind: FileKind::File,
                });
            }
            return Ok(Resource::Entity(s.to_string()));
        }
        let path = s.strip_prefix("./").unwrap_or(s);
        if path.is_empty() || path.ends_with('/') {
            return Err(SyntaxError(format!(
                "resource `{s}` is a directory; name a file (or a Cedar uid such as Url::\"https://example.com\")"
            )));
        }
        Ok(Resource::File {
            path: path.to_string(),
            kind: FileKind::File,
        })
    }

    /// A non-file resource `Type::"id"`, whatever characters `id` holds.
    pub fn entity(ty: &str, id: &str) -> Resource {
        Resource::Entity(format!("{ty}::{}", cedar_string(id)))
    }

    /// The Cedar uid text.
    pub fn uid_text(&self) -> String {
        match self {
            Resource::File { path, .. } => format!("File::{}", cedar_string(path)),
            Resource::Entity(s) => s.clone(),
        }
    }

    /// The Cedar uid.
    pub fn uid(&self) -> Result<EntityUid, SyntaxError> {
        match self {
            Resource::File { path, .. } => uid("File", path),
            Resource::Entity(s) => parse_uid(s, "resource"),
        }
    }

    /// Short display: a path, or the uid.
    pub fn display(&self) -> String {
        match self {
            Resource::File { path, .. } => path.clone(),
            Resource::Entity(s) => s.clone(),
        }
    }
}

/// The `Dir` a path's file is directly in: `a/b/c` -> `a/b/`, `c` -> ``,
/// `/etc/x` -> `/etc/`.
pub fn parent_dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// `mcp__server__tool` -> (`server`, `tool`); anything else -> (``, id).
pub fn split_tool(id: &str) -> (String, String) {
    if let Some(rest) = id.strip_prefix("mcp__")
        && let Some((server, tool)) = rest.split_once("__")
    {
        return (server.to_string(), tool.to_string());
    }
    (String::new(), id.to_string())
}
