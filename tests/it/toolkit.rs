//! The policy toolkit (validate, fmt, test, check, init) on the shipped
//! policies and on repositories made in temporary directories.
//!
//! (A catalogue of independent cases, one test each, for one component; it
//! runs past 500 lines because each case is read on its own, top to bottom.)

use crate::common::*;

#[test]
fn shipped_policies_validate_and_pass_their_tests_with_full_coverage() {
    let root = repo_root();
    let v = agentgate(&root, &["validate", "--format", "json"]);
    assert_eq!(v.code, 0, "{}", v.all());
    let j = v.json();
    assert_eq!(j["errors"], 0);
    assert_eq!(j["warnings"], 0, "{}", v.stdout);

    let t = agentgate(
        &root,
        &["test", "--format", "json", "--min-coverage", "100"],
    );
    assert_eq!(t.code, 0, "{}", t.all());
    let j = t.json();
    assert_eq!(j["failed"], 0);
    assert_eq!(j["errored"], 0);
    assert_eq!(j["coverage"]["percent"], 100.0);
    assert!(j["passed"].as_u64().unwrap() >= 80);
    // The incident cases the toolkit exists for are among them.
    let names: Vec<String> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
        })
        .collect();
    for needle in [
        "public post needs confirmation",
        "private post is allowed",
        "agent deletes mail: confirm first",
        "agent changes permissions: never",
        "agent edits a workflow without sign-off",
        "agent edits a workflow with a maintainer's sign-off",
    ] {
        assert!(names.iter().any(|n| n == needle), "missing case {needle}");
    }
}

fn check(dir: &std::path::Path, args: &[&str]) -> Out {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    agentgate(dir, &all)
}

#[test]
fn check_answers_the_incident_cases_with_distinct_exit_codes() {
    let root = repo_root();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "--principal",
                "agent:claude-code",
                "--action",
                "post",
                "--resource",
                "Channel::\"github:issue-comment\"",
                "--context",
                "{\"visibility\":\"public\"}",
            ],
            3,
            "confirm",
        ),
        (
            &[
                "--principal",
                "agent:claude-code",
                "--action",
                "post",
                "--resource",
                "Channel::\"slack:@bob\"",
                "--context",
                "{\"visibility\":\"private\"}",
            ],
            0,
            "allow",
        ),
        (
            &[
                "--principal",
                "agent:claude-code",
                "--action",
                "remove",
                "--resource",
                "Item::\"mail:inbox/42\"",
            ],
            3,
            "confirm",
        ),
        (
            &[
                "--principal",
                "agent:claude-code",
                "--action",
                "set_permissions",
                "--resource",
                "Item::\"repository:acme/app\"",
            ],
            1,
            "deny",
        ),
        (
            &[
                "--principal",
                "agent:copilot",
                "--action",
                "modify",
                "--resource",
                ".github/workflows/ci.yml",
            ],
            1,
            "deny",
        ),
        (
            &[
                "--principal",
                "agent:copilot",
                "--action",
                "modify",
                "--resource",
                ".github/workflows/ci.yml",
                "--signoff",
                "agentgate-maintainer",
            ],
            0,
            "allow",
        ),
        (
            &[
                "--principal",
                "agent:copilot",
                "--action",
                "modify",
                "--resource",
                ".github/workflows/ci.yml",
                "--signoff",
                "team:maintainers",
            ],
            0,
            "allow",
        ),
    ];
    for (args, code, decision) in cases {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        let out = check(&root, &a);
        assert_eq!(out.code, *code, "{args:?}: {}", out.all());
        assert_eq!(out.json()["decision"], *decision, "{args:?}");
    }
    // The deny names who must sign off, found by asking the policies.
    let out = check(
        &root,
        &[
            "--principal",
            "agent:copilot",
            "--action",
            "modify",
            "--resource",
            ".github/workflows/ci.yml",
            "--format",
            "json",
        ],
    );
    let j = out.json();
    assert_eq!(j["signoff_from"], serde_json::json!(["maintainers"]));
    let policies: Vec<&str> = j["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(policies.contains(&"acl-files-need-maintainer-signoff"));
    assert!(policies.contains(&"agentgate-floor"));
}

#[test]
fn check_reads_a_json_request_on_stdin() {
    let root = repo_root();
    let req = r#"{"principal": "agent:claude-code", "action": "post", "resource": "Channel::\"github:issue-comment\"", "context": {"visibility": "public"}}"#;
    let out = agentgate_stdin(&root, &["check", "--stdin", "--format", "json"], Some(req));
    assert_eq!(out.code, 3, "{}", out.all());
    assert_eq!(
        out.json()["policies"],
        serde_json::json!(["confirm-unless-private"])
    );
    // Without --stdin, a piped request is read too.
    let out = agentgate_stdin(&root, &["check"], Some(req));
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(out.stdout.starts_with("confirm:"), "{}", out.stdout);
}

#[test]
fn check_rejects_bad_requests_with_exit_2() {
    let root = repo_root();
    for (args, needle) in [
        (
            vec![
                "--principal",
                "alice",
                "--action",
                "modify",
                "--resource",
                "x",
            ],
            "principal `alice`",
        ),
        (
            vec![
                "--principal",
                "agent:a",
                "--action",
                "frobnicate",
                "--resource",
                "x",
            ],
            "no action `frobnicate`",
        ),
        (
            vec![
                "--principal",
                "agent:a",
                "--action",
                "modify",
                "--resource",
                "x",
                "--context",
                "[1]",
            ],
            "JSON object",
        ),
        (
            vec![
                "--principal",
                "agent:a",
                "--action",
                "modify",
                "--resource",
                "x",
                "--context",
                "{",
            ],
            "not valid JSON",
        ),
        (
            vec![
                "--principal",
                "agent:a",
                "--action",
                "post",
                "--resource",
                "Channel::\"x\"",
                "--context",
                "{\"visibility\": 3}",
            ],
            "visibility",
        ),
        (
            vec![
                "--principal",
                "agent:a",
                "--action",
                "post",
                "--resource",
                "src/x.rs",
            ],
            "File",
        ),
        (
            vec!["--principal", "agent:a", "--action", "modify"],
            "--resource",
        ),
    ] {
        let out = check(&root, &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        assert!(
            out.all().contains(needle),
            "{args:?}: expected {needle:?} in {}",
            out.all()
        );
    }
    for stdin in [
        "",
        "not json",
        "{\"principal\": \"agent:a\"}",
        "{\"principal\":\"agent:a\",\"action\":\"modify\",\"resource\":\"x\",\"extra\":1}",
    ] {
        let out = agentgate_stdin(&root, &["check", "--stdin"], Some(stdin));
        assert_eq!(out.code, 2, "{stdin:?}: {}", out.all());
    }
}

#[test]
fn init_in_an_empty_repo_passes_validate_and_test_and_a_second_init_changes_nothing() {
    let dir = git_repo();
    let out = agentgate(dir.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.all());
    for f in [
        "agentgate.toml",
        "schemas/agentgate.cedarschema",
        "policies/acl.cedar",
        "tests/policies/reference.toml",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let v = agentgate(dir.path(), &["validate"]);
    assert_eq!(v.code, 0, "{}", v.all());
    let t = agentgate(dir.path(), &["test", "--min-coverage", "100"]);
    assert_eq!(t.code, 0, "{}", t.all());

    // Change one file so "changes nothing" is observable, then init again.
    write(dir.path(), "policies/acl.cedar", "// edited by the user\n");
    let before = snapshot(dir.path());
    let again = agentgate(dir.path(), &["init"]);
    assert_eq!(again.code, 2, "{}", again.all());
    assert!(
        again.stderr.contains("policies/acl.cedar") && again.stderr.contains("agentgate.toml"),
        "{}",
        again.stderr
    );
    assert_eq!(snapshot(dir.path()), before);

    // One existing file is enough to refuse, and nothing else is written.
    let partial = git_repo();
    write(partial.path(), "policies/runtime.cedar", "// mine\n");
    let out = agentgate(partial.path(), &["init"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("policies/runtime.cedar"));
    assert_eq!(snapshot(partial.path()).len(), 1);
}

#[test]
fn a_syntax_error_is_exit_2_with_file_and_line() {
    let dir = init_repo();
    write(
        dir.path(),
        "policies/broken.cedar",
        "@id(\"ok\")\npermit (principal, action, resource)\nwhen { principal.login == };\n",
    );
    for args in [
        &["validate"][..],
        &["test"][..],
        &[
            "check",
            "--principal",
            "agent:a",
            "--action",
            "modify",
            "--resource",
            "x",
        ][..],
    ] {
        let out = agentgate(dir.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        assert!(
            out.stderr.contains("policies/broken.cedar:3:"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let j = agentgate(dir.path(), &["validate", "--format", "json"]).json();
    assert_eq!(j["diagnostics"][0]["file"], "policies/broken.cedar");
    assert_eq!(j["diagnostics"][0]["line"], 3);
}

#[test]
fn a_schema_violation_is_exit_2_with_file_and_line() {
    let dir = init_repo();
    write(
        dir.path(),
        "policies/typo.cedar",
        "// Agents may edit docs.\n@id(\"docs\")\npermit (principal is Agent, action == Action::\"modify\", resource)\nwhen { resource.extension == \"md\" };\n",
    );
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("policies/typo.cedar:4:"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("extension"), "{}", out.stderr);
    // The type error is not also reported as "never applies".
    assert!(!out.stderr.contains("never apply"), "{}", out.stderr);
    let t = agentgate(dir.path(), &["test"]);
    assert_eq!(t.code, 2, "{}", t.all());
}

#[test]
fn a_duplicate_id_is_exit_2_naming_both_places() {
    let dir = init_repo();
    write(
        dir.path(),
        "policies/zz-extra.cedar",
        "\n\n@id(\"agents-never-change-access\")\nforbid (principal, action, resource);\n",
    );
    let out = agentgate(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.code, 2, "{}", out.all());
    let d = &out.json()["diagnostics"][0];
    assert_eq!(d["code"], "agentgate::duplicate-id");
    assert_eq!(d["file"], "policies/zz-extra.cedar");
    assert_eq!(d["line"], 3);
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("policies/runtime.cedar:") && msg.contains("policies/zz-extra.cedar:3"),
        "{msg}"
    );
    assert_eq!(d["related"][0]["file"], "policies/runtime.cedar");
}

#[test]
fn a_suite_typo_is_exit_2_with_file_and_line() {
    let dir = init_repo();
    write(
        dir.path(),
        "tests/policies/typo.toml",
        "[[case]]\nname = \"x\"\nprincipal = \"agent:a\"\naction = \"modify\"\nresorce = \"src/a.rs\"\nexpect = \"allow\"\n",
    );
    let out = agentgate(dir.path(), &["test"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("tests/policies/typo.toml:5:1"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("resorce"), "{}", out.stderr);
    // Nothing ran: a typo anywhere stops the run before any case.
    assert!(!out.stdout.contains("passed"), "{}", out.stdout);

    write(
        dir.path(),
        "tests/policies/typo.toml",
        "[[case]]\nname = \"x\"\nprincipal = \"agent:a\"\naction = \"modify\"\nresource = \"src/a.rs\"\nexpect = \"alow\"\n",
    );
    let out = agentgate(dir.path(), &["test"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("tests/policies/typo.toml:6:"),
        "{}",
        out.stderr
    );

    write(
        dir.path(),
        "tests/policies/typo.toml",
        "[[case]]\nname = \"x\"\nprincipal = \"agent:a\"\naction = \"modiffy\"\nresource = \"src/a.rs\"\nexpect = \"allow\"\n",
    );
    let out = agentgate(dir.path(), &["test"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.all().contains("modiffy") && out.all().contains("tests/policies/typo.toml:1"),
        "{}",
        out.all()
    );
}

#[test]
fn a_wrong_expectation_is_exit_1_naming_the_case_and_junit_is_valid_xml() {
    let dir = init_repo();
    write(
        dir.path(),
        "tests/policies/wrong.toml",
        "[defaults]\nprincipal = \"agent:copilot\"\naction = \"modify\"\n\n[[case]]\nname = \"workflow <edit> & \\\"quotes\\\"\"\nresource = \".github/workflows/ci.yml\"\nexpect = \"allow\"\n\n[[case]]\nname = \"right\"\nresource = \"src/a.rs\"\nexpect = \"allow\"\n\n[[case]]\nname = \"wrong reasons\"\nresource = \"src/a.rs\"\nexpect = \"allow\"\nreasons = [\"humans-change-anything\"]\n",
    );
    let out = agentgate(dir.path(), &["test", "tests/policies/wrong.toml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("FAIL  workflow <edit> & \"quotes\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("expected allow, got deny"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("tests/policies/wrong.toml:5"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("FAIL  wrong reasons"), "{}", out.stdout);

    let junit = agentgate(
        dir.path(),
        &["test", "tests/policies/wrong.toml", "--format", "junit"],
    );
    assert_eq!(junit.code, 1);
    let doc = roxmltree::Document::parse(&junit.stdout).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("2"));
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        failed,
        vec!["workflow <edit> & \"quotes\"", "wrong reasons"]
    );

    // --filter runs only matching cases.
    let f = agentgate(
        dir.path(),
        &[
            "test",
            "tests/policies/wrong.toml",
            "--filter",
            "right",
            "--format",
            "json",
        ],
    );
    assert_eq!(f.code, 0, "{}", f.all());
    assert_eq!(f.json()["passed"], 1);
}

#[test]
fn coverage_below_the_minimum_is_exit_1_and_lists_uncovered_policies() {
    let dir = init_repo();
    let out = agentgate(
        dir.path(),
        &[
            "test",
            "tests/policies/incidents.toml",
            "--min-coverage",
            "100",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout
            .contains("not covered: humans-change-anything (policies/repository.cedar:2)"),
        "{}",
        out.stdout
    );
    let ok = agentgate(
        dir.path(),
        &[
            "test",
            "tests/policies/incidents.toml",
            "--min-coverage",
            "50",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.all());
    let bad = agentgate(dir.path(), &["test", "--min-coverage", "150"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn fmt_checks_formats_atomically_and_refuses_unparseable_files() {
    let dir = init_repo();
    let ok = agentgate(dir.path(), &["fmt", "--check"]);
    assert_eq!(ok.code, 0, "shipped policies are formatted: {}", ok.all());

    let messy = "// keep me\n@id(\"messy\")\npermit(principal is Agent,action==Action::\"read\",resource) // and me\nwhen{true};\n";
    write(dir.path(), "policies/messy.cedar", messy);
    let check = agentgate(dir.path(), &["fmt", "--check"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert_eq!(check.stdout.trim(), "policies/messy.cedar");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policies/messy.cedar")).unwrap(),
        messy,
        "--check wrote"
    );

    let fmt = agentgate(dir.path(), &["fmt"]);
    assert_eq!(fmt.code, 0, "{}", fmt.all());
    let formatted = std::fs::read_to_string(dir.path().join("policies/messy.cedar")).unwrap();
    assert!(
        formatted.contains("// keep me") && formatted.contains("// and me"),
        "{formatted}"
    );
    assert!(
        formatted.contains("action == Action::\"read\",\n") && formatted.contains("when { true };"),
        "{formatted}"
    );
    assert_eq!(agentgate(dir.path(), &["fmt", "--check"]).code, 0);
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("policies"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".agentgate")
        })
        .collect();
    assert!(leftovers.is_empty());

    let broken = "permit (principal, action resource);\n";
    write(dir.path(), "policies/broken.cedar", broken);
    let out = agentgate(dir.path(), &["fmt"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("policies/broken.cedar:1:"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policies/broken.cedar")).unwrap(),
        broken
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = init_repo();
    write(
        dir.path(),
        "agentgate.toml",
        "policies = \"policies\"\n\n[teams]\nmaintainers = [\"alice\"]\n\n[gate]\nprotekt = [\"x/\"]\n",
    );
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("agentgate.toml:7:1"), "{}", out.stderr);
    assert!(out.stderr.contains("protekt"), "{}", out.stderr);

    write(
        dir.path(),
        "agentgate.toml",
        "schema = \"missing.cedarschema\"\n",
    );
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.cedarschema"), "{}", out.stderr);

    write(dir.path(), "agentgate.toml", "policies = \"nowhere\"\n");
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no .cedar files under nowhere/"),
        "{}",
        out.stderr
    );
}

#[test]
fn lints_warn_about_policies_that_defeat_their_purpose() {
    let dir = init_repo();
    write(
        dir.path(),
        "policies/lints.cedar",
        "// Everything for everyone.\n@id(\"yolo\")\npermit (principal, action, resource);\n\n// Docs only.\n@id(\"docs\")\nforbid (principal is Agent, action in Action::\"change\", resource in Dir::\"docs\");\n\n// Security signs off.\n@id(\"sec\")\nforbid (principal is Agent, action in Action::\"change\", resource in Dir::\"sec/\")\nunless { context.signoff in Team::\"security\" };\n\npermit (principal is Human, action == Action::\"read\", resource);\n",
    );
    let out = agentgate(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.code, 0, "warnings do not fail: {}", out.all());
    let codes: Vec<String> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}@{}", d["code"].as_str().unwrap(), d["line"]))
        .collect();
    for want in [
        "agentgate::agents-do-anything@2",
        "agentgate::dir-without-slash@7",
        "agentgate::unknown-team@12",
        "agentgate::missing-id@14",
    ] {
        assert!(
            codes.iter().any(|c| c == want),
            "missing {want} in {codes:?}"
        );
    }
    assert_eq!(
        agentgate(dir.path(), &["validate", "--deny-warnings"]).code,
        2
    );
}

#[test]
fn garbage_input_never_panics() {
    let dir = init_repo();
    let garbage: &[&str] = &[
        "\u{0}\u{1}\u{2}",
        "permit (",
        "@id(\"\")\npermit (principal, action, resource);",
        "@id(\"x\") @id(\"y\") permit (principal, action, resource);",
        "forbid (principal == Agent::\"\u{202e}x\", action, resource);",
        "permit (principal, action, resource) when { \"unterminated };",
        "permit (principal in [Team::\"a\"], action, resource);",
        &"(".repeat(5000),
        "permit (principal, action, resource) when { 9223372036854775807 + 1 > 0 };",
    ];
    for (i, g) in garbage.iter().enumerate() {
        write(dir.path(), "policies/garbage.cedar", g);
        for args in [
            &["validate"][..],
            &["test"][..],
            &["fmt", "--check"][..],
            &[
                "check",
                "--principal",
                "agent:a",
                "--action",
                "modify",
                "--resource",
                "x",
            ][..],
        ] {
            let out = agentgate(dir.path(), args);
            assert!(
                matches!(out.code, 0..=3),
                "garbage #{i} {args:?} exit {}: {}",
                out.code,
                out.all()
            );
            assert!(
                !out.stderr.contains("panicked"),
                "garbage #{i} {args:?}: {}",
                out.stderr
            );
        }
    }
    std::fs::write(
        dir.path().join("policies/garbage.cedar"),
        [0xff, 0xfe, b'p'],
    )
    .unwrap();
    let out = agentgate(dir.path(), &["validate"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not valid UTF-8"), "{}", out.stderr);
}

#[test]
fn init_can_place_its_files_under_a_directory() {
    let dir = git_repo();
    let out = agentgate(dir.path(), &["init", "--under", ".agentgate"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        dir.path().join("agentgate.toml").is_file(),
        "the config stays at the top level"
    );
    assert!(dir.path().join(".agentgate/policies/acl.cedar").is_file());
    assert!(!dir.path().join("policies").exists());
    let v = agentgate(dir.path(), &["validate"]);
    assert_eq!(v.code, 0, "{}", v.all());
    let t = agentgate(dir.path(), &["test", "--min-coverage", "100"]);
    assert_eq!(t.code, 0, "{}", t.all());
    // The moved policies protect themselves where they are.
    let c = agentgate(
        dir.path(),
        &[
            "check",
            "--principal",
            "agent:copilot",
            "--action",
            "modify",
            "--resource",
            ".agentgate/policies/acl.cedar",
        ],
    );
    assert_eq!(c.code, 1, "{}", c.all());
    assert_eq!(agentgate(dir.path(), &["init", "--under", "../x"]).code, 2);
}

#[test]
fn validate_warns_when_a_team_the_policies_need_has_no_members() {
    let dir = init_repo();
    let out = agentgate(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let codes: Vec<String> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"agentgate::empty-team".to_string()),
        "{codes:?}"
    );
    let cfg = std::fs::read_to_string(dir.path().join("agentgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("agentgate.toml"),
        cfg.replace("maintainers = []", "maintainers = [\"alice\"]"),
    )
    .unwrap();
    let out = agentgate(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(out.json()["warnings"], 0, "{}", out.stdout);
}

#[test]
fn help_completions_and_man_page_are_generated_from_the_real_commands() {
    let dir = tempfile::tempdir().unwrap();
    let help = agentgate(dir.path(), &["gate", "--help"]);
    assert_eq!(help.code, 0, "{}", help.all());
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    assert!(
        help.stdout.contains("agentgate gate --base"),
        "{}",
        help.stdout
    );
    let bash = agentgate(dir.path(), &["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.all());
    for sub in ["validate", "gate", "hook", "tools", "completions"] {
        assert!(bash.stdout.contains(sub), "bash completion lacks {sub}");
    }
    let man = agentgate(dir.path(), &["man"]);
    assert_eq!(man.code, 0, "{}", man.all());
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH agentgate"));
    // An unknown shell is a usage error, not a pass.
    assert_eq!(agentgate(dir.path(), &["completions", "cmd.exe"]).code, 2);
}

#[test]
fn the_readme_reference_policy_table_lists_exactly_what_init_writes() {
    let dir = init_repo();
    let mut written = Vec::new();
    for f in ["repository.cedar", "acl.cedar", "runtime.cedar"] {
        let text = std::fs::read_to_string(dir.path().join("policies").join(f)).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.trim().strip_prefix("@id(\"") {
                written.push(rest.split('"').next().unwrap().to_string());
            }
        }
    }
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let table = readme
        .split("## Reference policies")
        .nth(1)
        .expect("README has a Reference policies section")
        .split("\n## ")
        .next()
        .unwrap();
    let listed: Vec<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l.split('`').next().unwrap().to_string())
        .collect();
    assert!(!written.is_empty());
    assert_eq!(listed, written, "README's table and init's policies differ");
}

/// A `cedar run-tests` file of `n` cases against the repository's policies:
/// the shipped run-tests cases, repeated and renamed.
fn run_tests_file(n: usize) -> String {
    let text =
        std::fs::read_to_string(repo_root().join("tests/policies/cedar-run-tests.json")).unwrap();
    let shipped: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let cases: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut c = shipped[i % shipped.len()].clone();
            c["name"] = serde_json::json!(format!("case {i}"));
            c
        })
        .collect();
    serde_json::to_string(&cases).unwrap()
}

/// `agentgate test` of a `run-tests` file of `n` passing cases in a
/// repository from `agentgate init`, reported in `format`; it must pass.
fn run_tests_of(n: usize, format: &str) -> (tempfile::TempDir, Out) {
    let dir = init_repo();
    write(dir.path(), "tests/policies/cedar.json", &run_tests_file(n));
    let out = agentgate(
        dir.path(),
        &["test", "tests/policies/cedar.json", "--format", format],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    (dir, out)
}

#[test]
fn cedar_run_tests_cases_report_expected_actual_and_their_own_time() {
    let (_dir, out) = run_tests_of(300, "json");
    let j = out.json();
    let cases = j["files"][0]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 300);
    assert_eq!(cases[0]["name"], "case 0", "file order is kept");
    assert_eq!(cases[299]["name"], "case 299");
    assert_eq!(
        cases[0]["expected"], "deny (reasons: acl-files-need-maintainer-signoff; 0 errors)",
        "{}",
        cases[0]
    );
    assert_eq!(cases[0]["actual"], cases[0]["expected"]);
    assert!(
        cases.iter().all(|c| c["status"] == "pass"),
        "{}",
        out.stdout
    );
    // Each case's own time, not the time since the file started: the
    // sequence is not a running total.
    let secs: Vec<f64> = cases
        .iter()
        .map(|c| c["seconds"].as_f64().unwrap())
        .collect();
    assert!(secs.windows(2).any(|w| w[1] < w[0]), "{secs:?}");
}

#[test]
fn junit_times_and_cedar_integration_cases_are_reported_the_same_way() {
    // Relatives of the JSON report's fix: JUnit's `time` is each case's own
    // time too, and Cedar's integration format fills expected and actual.
    let (_dir, junit) = run_tests_of(300, "junit");
    let doc = roxmltree::Document::parse(&junit.stdout).expect("valid XML");
    let times: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("time").unwrap().parse().unwrap())
        .collect();
    assert_eq!(times.len(), 300);
    assert!(times.windows(2).any(|w| w[1] < w[0]), "{times:?}");

    let out = agentgate(
        &repo_root(),
        &[
            "test",
            "examples/cedar-integration/tests",
            "--cedar-root",
            "examples/cedar-integration",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let j = out.json();
    let cases: Vec<&serde_json::Value> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["cases"].as_array().unwrap())
        .collect();
    assert!(cases.len() > 3, "{}", out.stdout);
    for c in cases {
        assert!(
            c["expected"].as_str().is_some_and(|e| !e.is_empty()) && c["actual"] == c["expected"],
            "{c}"
        );
    }
}

#[test]
fn an_empty_json_array_is_no_test_file_beside_integration_tests() {
    let dir = tempfile::tempdir().unwrap();
    let src = repo_root().join("examples/cedar-integration");
    copy_dir(&src, dir.path());
    // An entities file holding `[]`, as real integration-test trees have,
    // and its relatives: an array with spaces, a non-empty entities array,
    // an array of non-objects, a JSON schema and any other object.
    write(dir.path(), "tests/empty-entities.json", "[]");
    write(dir.path(), "tests/spaced-entities.json", " [ \n ] ");
    write(
        dir.path(),
        "tests/some-entities.json",
        r#"[{"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []}]"#,
    );
    write(
        dir.path(),
        "tests/numbers-entities.json",
        "[1, null, \"x\"]",
    );
    write(
        dir.path(),
        "tests/schema-entities.json",
        r#"{"": {"entityTypes": {"User": {}}, "actions": {}}}"#,
    );
    write(
        dir.path(),
        "tests/other-entities.json",
        r#"{"requests": []}"#,
    );
    let out = agentgate(
        dir.path(),
        &["test", "tests", "--cedar-root", ".", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let files: Vec<String> = out.json()["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert!(!files.iter().any(|f| f.contains("-entities")), "{files:?}");
    // The real tests beside them still ran.
    assert!(!files.is_empty(), "{}", out.stdout);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn a_policy_set_that_does_not_validate_makes_each_case_an_error_instead_of_stopping() {
    let dir = init_repo();
    write(dir.path(), "tests/policies/cedar.json", &run_tests_file(4));
    write(
        dir.path(),
        "policies/typo.cedar",
        "@id(\"docs\")\npermit (principal is Agent, action == Action::\"modify\", resource)\nwhen { resource.extension == \"md\" };\n",
    );
    let out = agentgate(dir.path(), &["test", "--format", "json"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("policies/typo.cedar:3"),
        "{}",
        out.stderr
    );
    let j = out.json();
    let mut run_tests_errors = 0;
    let mut suite_errors = 0;
    for f in j["files"].as_array().unwrap() {
        for c in f["cases"].as_array().unwrap() {
            assert_eq!(c["status"], "error", "{c}");
            if f["kind"] == "cedar-run-tests" {
                run_tests_errors += 1;
                assert!(
                    c["message"].as_str().unwrap().contains("validation failed"),
                    "{c}"
                );
            } else {
                suite_errors += 1;
                assert!(
                    c["message"].as_str().unwrap().contains("do not validate"),
                    "{c}"
                );
            }
        }
    }
    assert_eq!(run_tests_errors, 4);
    assert!(suite_errors > 10, "{suite_errors}");
}

#[test]
fn a_policy_or_schema_that_does_not_parse_fails_the_run_with_its_location() {
    // Relatives of the typo: a policy file and a schema that do not even
    // parse. Nothing can be run with them, so the run stops with exit 2
    // naming the file and line, never a pass.
    for (file, text, line) in [
        (
            "policies/broken.cedar",
            "permit (principal, action, resource)\nwhen { ;\n",
            2,
        ),
        ("schemas/agentgate.cedarschema", "entity Broken {\n", 1),
    ] {
        let dir = init_repo();
        write(dir.path(), "tests/policies/cedar.json", &run_tests_file(4));
        if file.ends_with(".cedarschema") {
            let path = dir.path().join(file);
            let mut schema = std::fs::read_to_string(&path).unwrap();
            schema.push_str(text);
            std::fs::write(&path, schema).unwrap();
        } else {
            write(dir.path(), file, text);
        }
        let out = agentgate(dir.path(), &["test", "--format", "json"]);
        assert_eq!(out.code, 2, "{file}: {}", out.all());
        let j = out.json();
        let d = &j["diagnostics"][0];
        assert_eq!(d["file"], file, "{}", out.stdout);
        assert!(d["line"].as_u64().unwrap() >= line, "{}", out.stdout);
    }
}
