//! The repository's policies as the proxy holds them: loaded once, and
//! loaded again when a file the load read (`agentgate.toml`, the schema,
//! a policy file, a listed directory) changes, is added or disappears.
//!
//! Every load goes through a [`Tree`] that records what it read, so the
//! check before each call stats exactly those files (tens of microseconds)
//! instead of parsing the schema and policies again (milliseconds). A load
//! that fails is kept as [`Loaded::Broken`] until the files change again:
//! every call is then denied with the reason, and nothing is forwarded on
//! doubt.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use agentgate_core::file_tree::{DirTree, Tree, TreeError};
use agentgate_core::hook::policy_root;
use agentgate_core::policy::PolicyStore;

use crate::hiding::Hidden;

/// The policies in force for one moment.
pub enum Loaded {
    /// Usable policies.
    Ready(Box<Ready>),
    /// No `agentgate.toml` above the working directory: nothing decides.
    Missing {
        /// Where the search started.
        cwd: PathBuf,
    },
    /// The policies cannot be used.
    Broken {
        /// The repository.
        root: PathBuf,
        /// The first diagnostic.
        message: String,
    },
}

/// A loaded policy store and what was worked out from it.
pub struct Ready {
    /// The policies, schema and config.
    pub store: PolicyStore,
    /// The repository's top level (relative paths and the decision log).
    pub root: PathBuf,
    /// Per tool: whether no call of it could ever be allowed.
    hidden: Mutex<HashMap<String, Option<Hidden>>>,
}

impl Ready {
    /// Whether no call of `tool` by `agent` could ever be allowed (worked
    /// out once per tool and policy load).
    pub fn hidden(&self, agent: &str, tool: &str) -> Option<Hidden> {
        if let Ok(cache) = self.hidden.lock()
            && let Some(h) = cache.get(tool)
        {
            return h.clone();
        }
        let h = crate::hiding::never_allowed(&self.store, agent, tool);
        if let Ok(mut cache) = self.hidden.lock() {
            cache.insert(tool.to_string(), h.clone());
        }
        h
    }
}

/// What a file looked like: modification time, size, inode; `None` when
/// it does not exist.
type Stamp = Option<(i64, i64, u64, u64)>;

/// The files one load read and the directories it listed, as they were.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fingerprint {
    root: Option<PathBuf>,
    read: BTreeSet<String>,
    listed: BTreeSet<String>,
    files: BTreeMap<String, Stamp>,
    lists: BTreeMap<String, BTreeSet<String>>,
}

fn stamp(p: &Path) -> Stamp {
    std::fs::metadata(p)
        .ok()
        .map(|m| (m.mtime(), m.mtime_nsec(), m.ino(), m.size()))
}

/// A tree that records what it was asked for.
struct Recording {
    inner: DirTree,
    read: RefCell<BTreeSet<String>>,
    listed: RefCell<BTreeSet<String>>,
}

impl Tree for Recording {
    fn label(&self) -> String {
        self.inner.label()
    }
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, TreeError> {
        self.read.borrow_mut().insert(path.to_string());
        self.inner.read(path)
    }
    fn list(&self, dir: &str) -> Result<Vec<String>, TreeError> {
        self.listed.borrow_mut().insert(dir.to_string());
        self.inner.list(dir)
    }
}

impl Fingerprint {
    /// The files and listings as they are now.
    fn take(root: &Path, read: &BTreeSet<String>, listed: &BTreeSet<String>) -> Fingerprint {
        let tree = DirTree::new(root);
        let mut files = BTreeMap::new();
        let mut lists = BTreeMap::new();
        for r in read {
            files.insert(r.clone(), stamp(&root.join(r)));
        }
        for d in listed {
            let names: BTreeSet<String> = tree.list(d).unwrap_or_default().into_iter().collect();
            for n in &names {
                files.insert(n.clone(), stamp(&root.join(n)));
            }
            lists.insert(d.clone(), names);
        }
        Fingerprint {
            root: Some(root.to_path_buf()),
            read: read.clone(),
            listed: listed.clone(),
            files,
            lists,
        }
    }

    /// Whether anything it recorded changed.
    fn changed(&self) -> bool {
        match &self.root {
            Some(root) => Fingerprint::take(root, &self.read, &self.listed) != *self,
            None => true,
        }
    }
}

struct State {
    loaded: Arc<Loaded>,
    fingerprint: Fingerprint,
    generation: u64,
}

/// The policies of one repository, reloaded when their files change.
pub struct Policies {
    explicit: Option<PathBuf>,
    cwd: PathBuf,
    state: Mutex<State>,
}

/// The policies now, and whether they were (re)loaded for this look.
pub struct Current {
    /// What is in force.
    pub loaded: Arc<Loaded>,
    /// Counts loads: a change means the tool list may have changed.
    pub generation: u64,
}

impl Policies {
    /// Load the policies of the repository at `explicit` (`--repo`), else
    /// the one found from `cwd` as the hooks find it.
    pub fn open(explicit: Option<PathBuf>, cwd: PathBuf) -> Policies {
        let (loaded, fingerprint) = load(explicit.as_deref(), &cwd);
        Policies {
            explicit,
            cwd,
            state: Mutex::new(State {
                loaded: Arc::new(loaded),
                fingerprint,
                generation: 0,
            }),
        }
    }

    /// The policies in force, reloaded first if their files changed.
    pub fn current(&self) -> Current {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        let stale = match &*state.loaded {
            // Someone may have run `agentgate init` since.
            Loaded::Missing { .. } => {
                policy_root(self.explicit.as_deref(), &self.cwd, &self.cwd).is_some()
            }
            _ => state.fingerprint.changed(),
        };
        if stale {
            let (loaded, fingerprint) = load(self.explicit.as_deref(), &self.cwd);
            state.loaded = Arc::new(loaded);
            state.fingerprint = fingerprint;
            state.generation += 1;
        }
        Current {
            loaded: Arc::clone(&state.loaded),
            generation: state.generation,
        }
    }
}

fn load(explicit: Option<&Path>, cwd: &Path) -> (Loaded, Fingerprint) {
    let Some(root) = policy_root(explicit, cwd, cwd) else {
        return (
            Loaded::Missing {
                cwd: cwd.to_path_buf(),
            },
            Fingerprint::default(),
        );
    };
    let tree = Recording {
        inner: DirTree::new(&root),
        read: RefCell::new(BTreeSet::new()),
        listed: RefCell::new(BTreeSet::new()),
    };
    let result = PolicyStore::load(&tree);
    let fingerprint = Fingerprint::take(&root, &tree.read.borrow(), &tree.listed.borrow());
    let loaded = match result {
        Ok(store) => Loaded::Ready(Box::new(Ready {
            store,
            root,
            hidden: Mutex::new(HashMap::new()),
        })),
        Err(d) => {
            let message = d
                .first_located()
                .unwrap_or_else(|| "unknown error".to_string());
            Loaded::Broken { root, message }
        }
    };
    (loaded, fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_policy_file_is_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("policies")).expect("mkdir");
        std::fs::write(d.join("agentgate.toml"), "").expect("write");
        std::fs::write(d.join("policies/a.cedar"), "").expect("write");
        let read: BTreeSet<String> = ["agentgate.toml".to_string()].into();
        let listed: BTreeSet<String> = ["policies".to_string()].into();
        let f = Fingerprint::take(d, &read, &listed);
        assert!(!f.changed());
        std::fs::write(d.join("policies/b.cedar"), "").expect("write");
        assert!(f.changed(), "a new policy file");
        let f = Fingerprint::take(d, &read, &listed);
        std::fs::write(d.join("agentgate.toml"), "x = 1").expect("write");
        assert!(f.changed(), "an edited config");
    }
}
