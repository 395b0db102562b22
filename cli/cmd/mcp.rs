//! `agentgate mcp`: the MCP policy proxy between an MCP client and an MCP
//! server (agentgate-mcp): every tool call judged by the repository's
//! policies, over stdio or streamable HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use agentgate_mcp::{Options, run as serve};

use super::Ctx;
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agent id the tool calls are judged as (e.g. claude-code, cursor).
    #[arg(long, value_name = "ID", default_value = "mcp-client")]
    agent: String,
    /// The server's name in tool names, as policies and the catalog see
    /// them (mcp__NAME__TOOL). Default: from the command (`npx -y
    /// @modelcontextprotocol/server-github` -> github) or the URL's host.
    #[arg(long, value_name = "SERVER")]
    name: Option<String>,
    /// The MCP server's streamable HTTP endpoint, instead of a command.
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
    /// Serve streamable HTTP at http://ADDR/mcp instead of stdio (port 0:
    /// any free port, printed on stderr).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Allow --listen on an address that is not loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Seconds a human has to confirm a call the policies want confirmed.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    confirm_timeout: u64,
    /// Seconds the server has to answer a request (restarted by its
    /// progress notifications) or to start.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    server_timeout: u64,
    /// The MCP server's command and arguments (after `--`, or simply
    /// last: everything from the first word that is not an option of
    /// `agentgate mcp` on is the server's).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let opts = Options {
        agent: args.agent,
        name: args.name,
        repo: ctx.explicit_repo.then(|| ctx.root.clone()),
        cwd: ctx.cwd.clone(),
        command: args.command,
        upstream: args.upstream,
        listen: args.listen,
        allow_remote: args.allow_remote,
        confirm_timeout: Duration::from_secs(args.confirm_timeout),
        server_timeout: Duration::from_secs(args.server_timeout),
    };
    match serve(opts) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            errln!("agentgate mcp: {e}");
            Exit::Input
        }
    }
}
