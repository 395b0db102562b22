//! One side of a comparison: the policy set, schema and config of a tree (a
//! git revision or a directory), every file path in it, and the cases of
//! its test suites.

use std::sync::Arc;

use agentgate_core::diag::source_file::SourceFile;
use agentgate_core::file_tree::Tree;
use agentgate_core::policy::PolicyStore;
use agentgate_core::testing::suite::{self, Case};

use crate::ImpactError;

/// A policy set and the world it governs.
pub struct Side {
    /// `commit abc1234` or `directory /x`.
    pub label: String,
    /// The commit, when read from git.
    pub commit: Option<String>,
    /// Config, schema and policies (the built-in floor included).
    pub store: PolicyStore,
    /// Every file in the tree, sorted.
    pub paths: Vec<String>,
    /// Every case of the tree's test suites: (suite file, case).
    pub cases: Vec<(String, Case)>,
}

impl Side {
    /// Read a side from `tree`.
    pub fn load(tree: &dyn Tree, commit: Option<String>) -> Result<Side, ImpactError> {
        let store = PolicyStore::load(tree).map_err(|diags| ImpactError::Policies {
            side: tree.label(),
            diags,
        })?;
        Side::with_store(tree, commit, store)
    }

    /// A side of `tree` whose policy store is already loaded.
    pub fn with_store(
        tree: &dyn Tree,
        commit: Option<String>,
        store: PolicyStore,
    ) -> Result<Side, ImpactError> {
        let label = tree.label();
        let paths = tree
            .list("")
            .map_err(|e| ImpactError::Read(e.to_string()))?;
        let mut cases = Vec::new();
        let suites = tree
            .list(&store.config.tests)
            .map_err(|e| ImpactError::Read(e.to_string()))?;
        for path in suites.into_iter().filter(|p| p.ends_with(".toml")) {
            let Some(bytes) = tree
                .read(&path)
                .map_err(|e| ImpactError::Read(e.to_string()))?
            else {
                continue;
            };
            let source = Arc::new(SourceFile::new(
                &path,
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
            // Scenario files share the directory; only suites have cases.
            if let Ok(s) = suite::parse(&source) {
                cases.extend(s.cases.into_iter().map(|c| (path.clone(), c)));
            }
        }
        Ok(Side {
            label,
            commit,
            store,
            paths,
            cases,
        })
    }
}
