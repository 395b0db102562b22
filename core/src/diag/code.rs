//! Every diagnostic code agentgate reports, with what it means (as
//! cargo-deny lists its codes): stable strings for JSON consumers, one
//! place to read them all, and a test that no two share a name.

use serde::Serialize;

macro_rules! codes {
    ($( $variant:ident = $name:literal : $desc:literal, )*) => {
        /// A diagnostic's stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( #[doc = $desc] $variant, )*
        }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable string (`agentgate::duplicate-id`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// What the code means.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $desc, )* }
            }
        }
    };
}

codes! {
    Config = "agentgate::config": "the config file does not parse or holds a bad value",
    NoConfig = "agentgate::no-config": "no config where one was named",
    NoSchema = "agentgate::no-schema": "no schema where the config says it is",
    NoPolicies = "agentgate::no-policies": "no .cedar files in the policy directory",
    Read = "agentgate::read": "a file cannot be read",
    Write = "agentgate::write": "a file cannot be written",
    Encoding = "agentgate::encoding": "a file is not UTF-8",
    Json = "agentgate::json": "text that should be JSON is not",
    Usage = "agentgate::usage": "a command's flags or input make no sense together",
    DuplicateId = "agentgate::duplicate-id": "two policies share an id",
    ReservedId = "agentgate::reserved-id": "a policy uses an id reserved for the built-in floor",
    MissingId = "agentgate::missing-id": "a policy has no @id",
    EmptyId = "agentgate::empty-id": "a policy's @id is empty",
    TemplateIgnored = "agentgate::template-ignored": "a template is ignored: agentgate links no templates",
    SchemaVocabulary = "agentgate::schema-vocabulary": "the schema lacks part of agentgate's vocabulary",
    NeverApplies = "agentgate::never-applies": "a policy can never apply",
    AgentsDoAnything = "agentgate::agents-do-anything": "a permit lets agents do anything",
    DirWithoutSlash = "agentgate::dir-without-slash": "Dir::\"x\" without its trailing slash matches no path",
    FileWithSlash = "agentgate::file-with-slash": "File::\"x/\" with a trailing slash matches no path",
    UnknownTeam = "agentgate::unknown-team": "a policy names a team nobody defines",
    EmptyTeam = "agentgate::empty-team": "a team the policies need has no members",
    Format = "agentgate::format": "the formatter failed on a file",
    FormatDropsComment = "agentgate::format-drops-comment": "formatting would drop a comment",
    Suite = "agentgate::suite": "a test suite is malformed",
    Scenario = "agentgate::scenario": "a gate scenario is malformed",
    TestFormat = "agentgate::test-format": "a test file is of no known format",
    NoTests = "agentgate::no-tests": "no test files where the tests should be",
    InvalidPolicies = "agentgate::invalid-policies": "the policies do not validate, so nothing can be tested",
    Signoffs = "agentgate::signoffs": "a sign-offs (reviews) file is malformed",
    CannotDecide = "agentgate::cannot-decide": "a command that decides could not decide",
    Internal = "agentgate::internal": "agentgate failed internally (a bug)",
    Diff = "agentgate::diff": "agentgate diff could not compare",
    ToolsImport = "agentgate::tools-import": "agentgate tools import could not import",
    InstallHooks = "agentgate::install-hooks": "a hook wiring file could not be written",
    CedarParse = "cedar::parse": "Cedar could not parse a policy",
    CedarSchema = "cedar::schema": "Cedar could not use the schema",
    CedarValidation = "cedar::validation": "Cedar's strict validation found a policy that does not typecheck",
    CedarPolicySet = "cedar::policy-set": "Cedar could not form the policy set",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_described() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            assert!(
                c.as_str().starts_with("agentgate::") || c.as_str().starts_with("cedar::"),
                "{c}"
            );
            assert!(!c.description().is_empty(), "{c} has no description");
        }
    }
}
