//! Muster sync. For now: the wire types of the HTTP API (v1) shared by the server
//! (`muster-server`) and the client engine (a later step; see docs/design/sync-plan.md §3).

pub mod wire;
