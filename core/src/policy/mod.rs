//! The policy store: a repository's config, schema and policies, read from a
//! [`Tree`] (the work tree, or a commit's tree for the gate), with every
//! policy's id, location and intent, plus the built-in floor.

pub mod catalog;
pub mod codeowners;
pub mod config;
pub mod floor;
pub mod formatter;
pub mod lint;
pub mod parse;
pub mod path_classes;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use cedar_policy::{PolicyId, PolicySet, Schema};

use crate::diag::source_file::SourceFile;
use crate::diag::{Code, Diag, Diags};
use crate::file_tree::Tree;
use crate::policy::catalog::Catalog;
use crate::policy::config::{CONFIG_FILE, Config};

pub use parse::PolicyMeta;

/// Everything a decision needs from a repository, loaded once.
#[derive(Debug, Clone)]
pub struct PolicyStore {
    /// Where it was read from (a directory or a commit).
    pub origin: String,
    /// The parsed config (defaults when there is no `agentgate.toml`).
    pub config: Config,
    /// The config file, when there is one.
    pub config_source: Option<Arc<SourceFile>>,
    /// The schema.
    pub schema: Schema,
    /// The schema file.
    pub schema_source: Arc<SourceFile>,
    /// More schema fragments (`schemas` in the config).
    pub schema_extra: Vec<Arc<SourceFile>>,
    /// The policy files, in the order they were read.
    pub files: Vec<Arc<SourceFile>>,
    /// Policies decisions use: the files' policies and the built-in floor.
    pub policies: PolicySet,
    /// The files' policies alone: what Cedar's own tools would see.
    pub user_policies: PolicySet,
    /// Metadata of every policy in `policies`, by id.
    pub meta: BTreeMap<String, PolicyMeta>,
    /// Non-fatal findings made while loading.
    pub warnings: Vec<Diag>,
    /// The agent catalog extended by the config.
    pub catalog: Catalog,
    /// Whether the schema gives `Agent` its `kind` attribute.
    pub agent_kind_attr: bool,
}

/// Read `path` from `tree` as UTF-8 text, named for diagnostics.
pub fn read_source(tree: &dyn Tree, path: &str) -> Result<Option<Arc<SourceFile>>, Diag> {
    let name = format!("{}{}", tree.display_prefix(), path);
    match tree.read(path) {
        Ok(None) => Ok(None),
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(SourceFile::new(name, text))),
            Err(e) => Err(Diag::error(
                Code::Encoding,
                format!(
                    "{name} is not valid UTF-8 (byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )),
        },
        Err(e) => Err(Diag::error(Code::Read, e.to_string())),
    }
}

/// Read and parse the config of `tree` (defaults when absent).
pub fn load_config(tree: &dyn Tree) -> Result<(Config, Option<Arc<SourceFile>>), Diags> {
    load_config_at(tree, CONFIG_FILE)
}

/// Read and parse the config at `path` in `tree` (defaults when absent at
/// the default location; an explicitly named config must exist).
pub fn load_config_at(
    tree: &dyn Tree,
    path: &str,
) -> Result<(Config, Option<Arc<SourceFile>>), Diags> {
    let (mut config, source) = match read_source(tree, path)? {
        None if path == CONFIG_FILE => (Config::default(), None),
        None => {
            return Err(Diag::error(
                Code::NoConfig,
                format!(
                    "no config at {}{path} (in {})",
                    tree.display_prefix(),
                    tree.label()
                ),
            )
            .into());
        }
        Some(src) => (Config::parse(&src)?, Some(src)),
    };
    config.config_path = path.to_string();
    Ok((config, source))
}

impl PolicyStore {
    /// Load config, schema and policies from `tree` for deciding: every
    /// policy must pass Cedar's strict validation against the schema (a
    /// policy that fails it would be skipped at evaluation, so a set with
    /// one is refused). Every error found is returned, not just the first.
    pub fn load(tree: &dyn Tree) -> Result<PolicyStore, Diags> {
        let (config, config_source) = load_config(tree)?;
        Self::load_with_config(tree, config, config_source)
    }

    /// [`PolicyStore::load`] with an already-read config.
    pub fn load_with_config(
        tree: &dyn Tree,
        config: Config,
        config_source: Option<Arc<SourceFile>>,
    ) -> Result<PolicyStore, Diags> {
        let store = Self::parse_with_config(tree, config, config_source)?;
        let errors = validate::strict_errors(&store);
        if errors.is_empty() {
            Ok(store)
        } else {
            Err(Diags(errors))
        }
    }

    /// Load config, schema and policies without strict validation, for
    /// `validate` (which reports every finding itself) and formatting.
    pub fn parse(tree: &dyn Tree) -> Result<PolicyStore, Diags> {
        let (config, config_source) = load_config(tree)?;
        Self::parse_with_config(tree, config, config_source)
    }

    /// [`PolicyStore::parse`] with an already-read config.
    pub fn parse_with_config(
        tree: &dyn Tree,
        config: Config,
        config_source: Option<Arc<SourceFile>>,
    ) -> Result<PolicyStore, Diags> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();

        let schema_source = match read_source(tree, &config.schema)? {
            Some(s) => s,
            None => {
                return Err(Diag::error(
                    Code::NoSchema,
                    format!(
                        "no schema at {}{} (in {})",
                        tree.display_prefix(),
                        config.schema,
                        tree.label()
                    ),
                )
                .with_help("set `schema` in agentgate.toml, or run `agentgate init` to write one")
                .into());
            }
        };
        let mut schema_extra = Vec::new();
        for path in &config.schemas {
            match read_source(tree, path)? {
                Some(src) => schema_extra.push(src),
                None => errors.push(Diag::error(
                    Code::NoSchema,
                    format!(
                        "no schema fragment at {}{path} (in {}), though `schemas` names it",
                        tree.display_prefix(),
                        tree.label()
                    ),
                )),
            }
        }
        let schema = match schema::parse_schema_with(&schema_source, &schema_extra) {
            Ok((s, w)) => {
                warnings.extend(w);
                Some(s)
            }
            Err(e) => {
                errors.extend(e);
                None
            }
        };

        let paths: Vec<String> = tree
            .list(&config.policies)
            .map_err(|e| Diag::error(Code::Read, e.to_string()))?
            .into_iter()
            .filter(|p| p.ends_with(".cedar"))
            .collect();
        if paths.is_empty() {
            errors.push(
                Diag::error(
                    Code::NoPolicies,
                    format!(
                        "no .cedar files under {}{}/ (in {})",
                        tree.display_prefix(),
                        config.policies,
                        tree.label()
                    ),
                )
                .with_help("set `policies` in agentgate.toml, or run `agentgate init`"),
            );
        }

        let mut files = Vec::new();
        let mut user = Vec::new();
        let mut next_index = 0;
        for path in &paths {
            let src = match read_source(tree, path) {
                Ok(Some(s)) => s,
                Ok(None) => continue,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            match parse::parse_file(&src, next_index, false) {
                Ok(parsed) => {
                    next_index += parsed.count;
                    warnings.extend(parsed.warnings);
                    user.extend(parsed.policies);
                }
                Err(e) => errors.extend(e),
            }
            files.push(src);
        }

        let mut meta: BTreeMap<String, PolicyMeta> = BTreeMap::new();
        let mut user_policies = PolicySet::new();
        for (policy, m) in user {
            if let Some(first) = meta.get(&m.id) {
                errors.push(duplicate(&m, first));
                continue;
            }
            if let Err(e) = user_policies.add(policy) {
                errors.push(Diag::error(Code::CedarPolicySet, e.to_string()));
                continue;
            }
            meta.insert(m.id.clone(), m);
        }

        let Some(schema) = schema else {
            return Err(Diags(errors));
        };
        errors.extend(schema::check_vocabulary(&schema, &schema_source));

        let mut policies = user_policies.clone();
        let floor_src = SourceFile::new(floor::FLOOR_ORIGIN, floor::floor_text(&config, &schema));
        match parse::parse_file(&floor_src, 0, true) {
            Ok(parsed) => {
                for (policy, m) in parsed.policies {
                    if let Some(user_def) = meta.get(&m.id) {
                        errors.push(
                            Diag::error(
                                Code::ReservedId,
                                format!(
                                    "policy id `{}` is reserved for agentgate's built-in floor",
                                    m.id
                                ),
                            )
                            .at_meta(user_def)
                            .with_help("rename the policy"),
                        );
                        continue;
                    }
                    if let Err(e) = policies.add(policy) {
                        errors.push(Diag::error(Code::CedarPolicySet, e.to_string()));
                        continue;
                    }
                    meta.insert(m.id.clone(), m);
                }
            }
            Err(e) => errors.extend(e),
        }

        if errors.is_empty() {
            Ok(PolicyStore {
                agent_kind_attr: schema::has_entity_attr(&schema, "Agent", "kind"),
                origin: tree.label(),
                catalog: Catalog::with_config(&config),
                config,
                config_source,
                schema,
                schema_source,
                schema_extra,
                files,
                policies,
                user_policies,
                meta,
                warnings,
            })
        } else {
            Err(Diags(errors))
        }
    }

    /// Metadata of a policy id.
    pub fn meta(&self, id: &PolicyId) -> Option<&PolicyMeta> {
        self.meta.get(AsRef::<str>::as_ref(id))
    }

    /// Metadata of the repository's own policies (not the floor), in
    /// file order.
    pub fn user_meta(&self) -> Vec<&PolicyMeta> {
        let mut v: Vec<&PolicyMeta> = self.meta.values().filter(|m| !m.builtin).collect();
        v.sort_by(|a, b| (&a.origin, a.line).cmp(&(&b.origin, b.line)));
        v
    }

    /// Whether any policy (the floor included) may read `name`, e.g. a
    /// context attribute: a policy that cannot be printed counts as reading
    /// everything, so the answer errs towards yes.
    pub fn may_read(&self, name: &str) -> bool {
        self.policies
            .policies()
            .any(|p| p.to_cedar().is_none_or(|t| t.contains(name)))
    }

    /// Teams anyone could sign off for: those in config and those the
    /// policies name (`Team::"x"` literals), sorted.
    pub fn known_teams(&self) -> Vec<String> {
        let mut teams: std::collections::BTreeSet<String> =
            self.config.teams.keys().cloned().collect();
        for p in self.policies.policies() {
            for uid in p.entity_literals() {
                if uid.type_name().to_string() == "Team" {
                    teams.insert(uid.id().unescaped().to_string());
                }
            }
        }
        teams.into_iter().collect()
    }
}

fn duplicate(second: &PolicyMeta, first: &PolicyMeta) -> Diag {
    Diag::error(
        Code::DuplicateId,
        format!(
            "duplicate policy id `{}`: defined at {} and again at {}",
            second.id,
            first.location(),
            second.location()
        ),
    )
    .at_meta(second)
    .with_label("second definition")
    .with_help("policy ids must be unique across the policy directory; rename one of them")
    .with_related(
        Diag::error(
            Code::DuplicateId,
            format!("`{}` first defined here", first.id),
        )
        .at_meta(first)
        .with_label("first definition"),
    )
}

impl Diag {
    /// Locate a diagnostic at a policy's first line.
    pub fn at_meta(self, m: &PolicyMeta) -> Diag {
        match &m.source {
            Some(src) => {
                let len = src.text[m.span.offset()..]
                    .find('\n')
                    .unwrap_or(m.span.len())
                    .min(m.span.len());
                self.at(src, (m.span.offset(), len))
            }
            None => self,
        }
    }
}
