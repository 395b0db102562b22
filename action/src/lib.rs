//! agentgate-github
