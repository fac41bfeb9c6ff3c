//! Model workers (劳模风采) on the web, a publishable kind: the public showcase at
//! `/model-workers` (pages and API, no sign-in) and the union's records in the console and
//! under `/api/v1/console/model-workers`. What is its own: its form (with the honouree's
//! consent), its facet (the level) and templates.

use crate::filters;
use crate::pages::render;
use crate::publishable::{
    ConsoleList, ConsoleRecord, Pages, PublicList, Typed, page_template, value,
};
use askama::Template;
use axum::response::Response;
use zhijia_app::model_worker::{ModelWorkerInput, ModelWorkers, PublicModelWorker};
use zhijia_domain::ids::WorkerId;
use zhijia_domain::model_worker::Level;
use zhijia_domain::publishing::split_paragraphs;
use zhijia_store::model_worker::{Honouree, ModelWorker};

page_template!(
    ListPage,
    "model_worker/console_list.html",
    ConsoleList<Honouree>
);
page_template!(
    RecordPage,
    "model_worker/console_record.html",
    ConsoleRecord<Honouree>
);
page_template!(
    ShowcasePage,
    "model_worker/showcase.html",
    PublicList<PublicModelWorker>
);

impl ListPage {
    fn levels(&self) -> &'static [Level] {
        Level::ALL
    }
}

impl RecordPage {
    fn levels(&self) -> &'static [Level] {
        Level::ALL
    }
}

impl ShowcasePage {
    /// The first words of a story, for the list.
    fn excerpt(&self, story: &str) -> String {
        let first = story.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut s: String = first.trim().chars().take(60).collect();
        if first.trim().chars().count() > 60 || story.trim() != first.trim() {
            s.push('…');
        }
        s
    }
}

#[derive(Template)]
#[template(path = "model_worker/record.html")]
struct StoryPage {
    m: PublicModelWorker,
    paragraphs: Vec<String>,
}

/// A record's own fields as the staff API shows them (the public view leaves out the worker).
#[derive(Debug, serde::Serialize)]
pub struct HonoureeView {
    /// The linked worker, if the honouree is one here.
    pub worker_id: Option<WorkerId>,
    /// The linked worker's member number.
    pub member_no: Option<String>,
    pub name: String,
    pub honour: String,
    pub level: Level,
    pub year: i64,
    pub employer: String,
    pub story: String,
    /// When the staff recorded the honouree's consent to be shown.
    pub consent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&Honouree> for HonoureeView {
    fn from(h: &Honouree) -> Self {
        HonoureeView {
            worker_id: h.worker_id,
            member_no: h.member_no.clone(),
            name: h.name.clone(),
            honour: h.honour.clone(),
            level: h.level,
            year: h.year,
            employer: h.employer.clone(),
            story: h.story.clone(),
            consent_at: h.consent_at,
        }
    }
}

impl Pages for ModelWorkers {
    type ContentView = HonoureeView;
    const PATH: &'static str = "/model-workers";
    const SECTION: &'static str = "劳模风采";
    const NOUN: &'static str = "劳模事迹";
    const FACET: &'static str = "level";

    fn facets() -> Vec<(&'static str, &'static str)> {
        Level::ALL.iter().map(|l| (l.as_str(), l.label())).collect()
    }

    fn input_of(f: &Typed) -> ModelWorkerInput {
        let get = |k: &str| value(f, k).to_owned();
        ModelWorkerInput {
            org: get("org").trim().parse().ok(),
            name: get("name"),
            honour: get("honour"),
            level: get("level"),
            year: get("year").trim().parse().unwrap_or(0),
            employer: get("employer"),
            story: get("story"),
            member_no: Some(get("member_no")),
            consent: f.contains_key("consent"),
        }
    }

    fn typed_of(r: &ModelWorker) -> Typed {
        let m = &r.content;
        let mut t = Typed::from([
            ("name".into(), m.name.clone()),
            ("honour".into(), m.honour.clone()),
            ("level".into(), m.level.as_str().into()),
            ("year".into(), m.year.to_string()),
            ("employer".into(), m.employer.clone()),
            ("story".into(), m.story.clone()),
            ("member_no".into(), m.member_no.clone().unwrap_or_default()),
        ]);
        if m.consent_at.is_some() {
            t.insert("consent".into(), "on".into());
        }
        t
    }

    fn console_list(page: ConsoleList<Honouree>) -> Response {
        render(&ListPage(page))
    }

    fn console_record(page: ConsoleRecord<Honouree>) -> Response {
        render(&RecordPage(page))
    }

    fn public_list(page: PublicList<PublicModelWorker>) -> Response {
        render(&ShowcasePage(page))
    }

    fn public_item(m: PublicModelWorker) -> Response {
        render(&StoryPage {
            paragraphs: split_paragraphs(&m.story),
            m,
        })
    }
}
