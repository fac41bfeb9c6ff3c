//! zhijia's integration tests, compiled into one binary (linking is the slow part on 2 cores).
//! Every store-touching test runs on SQLite and, with ZHIJIA_TEST_DATABASE_URL, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod activity;
mod activity_http;
mod aid;
mod aid_http;
mod aid_pages;
mod aid_worker_http;
mod atomicity;
mod backup;
mod benefit;
mod benefit_http;
mod browser;
mod case;
mod case_http;
mod case_worker_http;
mod cli;
mod console_http;
mod deletion;
mod demo;
mod duties;
mod frame;
mod http;
mod id_masking;
mod identity;
mod import;
mod library;
mod mall;
mod membership;
mod membership_http;
mod merchant;
mod merchant_http;
mod migrations;
mod model_worker;
mod org_tree;
mod pg_tls;
mod region;
mod search;
mod sms;
mod store_conformance;
mod transfer_consent;
mod upgrade;
mod uploads_http;
mod worker_flows_http;
