//! Rights-protection cases (维权): what a worker may file, the states a case goes through, the
//! deadline it must be handled in, and how an overdue case is escalated (督办) up the org tree.
//!
//! The rules are kept apart from one another on purpose: [`CaseFlow`] knows which step may follow
//! which, [`CaseClock`] knows how much time is left, and [`escalation_level`] knows how far up an
//! overdue case has gone. The use case that records a step drives all three (asking the worker,
//! [`CaseEvent::AskWorker`], pauses the clock; their answer, [`CaseEvent::WorkerAnswered`],
//! resumes it), so each rule can be tested without the others.

use crate::ValidationError;
use crate::calendar::BusinessCalendar;
use chrono::NaiveDate;

const STATE_FIELD: &str = "state";
const DEADLINES_FIELD: &str = "deadlines";
const DATE_FIELD: &str = "date";

/// The longest a reason for declining or a rating comment may be, in characters: both are shown
/// in lists and inboxes, where a few sentences are what fits; the details go in the case file.
pub const MAX_NOTE_CHARS: usize = 500;

/// The longest deadline a policy may set: a year. Anything longer is a typo, not a time limit.
pub const MAX_DEADLINE_DAYS: u32 = 365;

state_enum! {
    /// What the worker asks the union for.
    pub enum CaseKind {
        Consultation = "consultation", "咨询";
        /// Help in hardship or a dispute the union can settle by talking to the employer.
        Assistance = "assistance", "求助";
        /// A complaint about an employer (or a union) breaking the worker's rights.
        Complaint = "complaint", "投诉";
        /// Legal aid from the union (工会法律援助): advice, representation in mediation,
        /// arbitration or court.
        LegalAid = "legal_aid", "法律援助";
        Suggestion = "suggestion", "建议";
    }
}

state_enum! {
    /// How hard a case is, set by the handler when accepting it; it picks the deadline.
    pub enum Tier {
        Simple = "simple", "简单";
        Ordinary = "ordinary", "一般";
        Complex = "complex", "复杂";
    }
}

state_enum! {
    /// Where a case stands.
    pub enum CaseState {
        Submitted = "submitted", "已提交";
        Accepted = "accepted", "已受理";
        /// Not taken up (outside the union's remit, a duplicate, …); the reason is shown to the
        /// worker.
        Declined = "declined", "不予受理";
        InProgress = "in_progress", "办理中";
        /// The handler asked the worker for something; the deadline clock is paused.
        WaitingOnWorker = "waiting_on_worker", "待补充材料";
        /// Answered; waiting for the worker's rating.
        Resolved = "resolved", "已办结";
        Closed = "closed", "已关闭";
    }
}

state_enum! {
    /// Who took a step of a case or wrote on it, as the case history and conversation store
    /// it (the command line counts as the system).
    pub enum CaseActor {
        Staff = "staff", "工作人员";
        Worker = "worker", "职工";
        System = "system", "系统";
    }
}

state_enum! {
    /// How a case reached the union: filed online by the worker, or taken by a handler on the
    /// telephone or at the desk.
    pub enum CaseChannel {
        Online = "online", "网上";
        Phone = "phone", "电话";
        Desk = "desk", "窗口来访";
    }
}

state_enum! {
    /// What a mediation of a case came to.
    pub enum MediationOutcome {
        Settled = "settled", "达成调解协议";
        PartlySettled = "partly_settled", "部分达成协议";
        NotSettled = "not_settled", "未达成协议";
    }
}

impl CaseState {
    /// Whether the case still awaits the union, so it counts toward deadlines and escalation.
    /// A submitted case counts: the clock starts when the worker files, not when someone gets
    /// round to accepting it, or an unaccepted case could wait forever unnoticed.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::Accepted | Self::InProgress | Self::WaitingOnWorker
        )
    }
}

/// One step in a case's life, as a handler or the worker takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseEvent {
    Accept,
    Decline {
        reason: String,
    },
    Start,
    AskWorker {
        question: String,
    },
    WorkerAnswered,
    Resolve {
        answer: String,
    },
    Rate {
        satisfied: bool,
        comment: String,
    },
    /// Closes a declined case, or a resolved one the worker did not rate in the time allowed.
    Close,
}

impl CaseEvent {
    /// The step as a verb phrase, for "不能…" messages and the case history.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Decline { .. } => "作出不予受理决定",
            Self::Start => "开始办理",
            Self::AskWorker { .. } => "要求补充材料",
            Self::WorkerAnswered => "提交补充材料",
            Self::Resolve { .. } => "办结",
            Self::Rate { .. } => "评价",
            Self::Close => "关闭",
        }
    }
}

/// Where a case stands, with what its history adds to the state: whether it was reopened after
/// an unsatisfied rating (a case is reopened once only, so a worker cannot keep a case open for
/// ever) and whether the parent union must review how it was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFlow {
    pub state: CaseState,
    pub reopened: bool,
    pub review_by_parent: bool,
}

impl Default for CaseFlow {
    /// A case just filed.
    fn default() -> Self {
        Self {
            state: CaseState::Submitted,
            reopened: false,
            review_by_parent: false,
        }
    }
}

/// `text` trimmed must not be empty; `what` names it in the message.
fn require_text(field: &'static str, what: &str, text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::new(field, format!("{what}不能为空")));
    }
    Ok(())
}

/// `text` trimmed must fit [`MAX_NOTE_CHARS`]; `what` names it in the message.
fn limit_text(field: &'static str, what: &str, text: &str) -> Result<(), ValidationError> {
    let n = text.trim().chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(ValidationError::new(
            field,
            format!("{what}不能超过{MAX_NOTE_CHARS}个字（现为{n}个字）"),
        ));
    }
    Ok(())
}

impl CaseFlow {
    /// The flow after `event`, or why the event cannot happen now. The state is checked before
    /// the texts, so a step that is not possible at all is not answered with "fill in the
    /// reason".
    pub fn apply(&self, event: &CaseEvent) -> Result<CaseFlow, ValidationError> {
        use CaseState as S;
        let to = |state| Ok(CaseFlow { state, ..*self });
        match (self.state, event) {
            (S::Submitted, CaseEvent::Accept) => to(S::Accepted),
            (S::Submitted, CaseEvent::Decline { reason }) => {
                require_text("reason", "不予受理理由", reason)?;
                limit_text("reason", "不予受理理由", reason)?;
                to(S::Declined)
            }
            (S::Accepted, CaseEvent::Start) => to(S::InProgress),
            (S::Accepted | S::InProgress, CaseEvent::AskWorker { question }) => {
                require_text("question", "需补充的材料说明", question)?;
                to(S::WaitingOnWorker)
            }
            (S::WaitingOnWorker, CaseEvent::WorkerAnswered) => to(S::InProgress),
            (S::Accepted | S::InProgress, CaseEvent::Resolve { answer }) => {
                require_text("answer", "办结答复", answer)?;
                to(S::Resolved)
            }
            (S::Resolved, CaseEvent::Rate { satisfied, comment }) => {
                limit_text("comment", "评价意见", comment)?;
                if *satisfied || self.reopened {
                    // A second unsatisfied rating closes the case; the review the first one
                    // asked for stays asked.
                    to(S::Closed)
                } else {
                    Ok(CaseFlow {
                        state: S::InProgress,
                        reopened: true,
                        review_by_parent: true,
                    })
                }
            }
            (S::Resolved | S::Declined, CaseEvent::Close) => to(S::Closed),
            (state, event) => Err(ValidationError::new(
                STATE_FIELD,
                format!("案件当前为“{}”，不能{}", state.label(), event.label()),
            )),
        }
    }
}

/// How many working days a case may take, by kind and tier.
///
/// The default table, in working days (simple / ordinary / complex):
///
/// | kind         | 简单 | 一般 | 复杂 |
/// |--------------|-----:|-----:|-----:|
/// | consultation |    1 |    3 |    5 |
/// | assistance   |    5 |   10 |   20 |
/// | complaint    |    5 |   15 |   30 |
/// | legal_aid    |    5 |   15 |   30 |
/// | suggestion   |    5 |   10 |   15 |
///
/// Why these: a consultation is a question the handler can mostly answer at once, so a day for a
/// simple one (what the 12351 hotlines promise); a suggestion needs a considered reply but
/// nothing is at stake while it waits. Assistance, complaints and legal aid involve the
/// employer, evidence or a lawyer, so a complex one gets up to 30 working days, about six weeks.
/// The table is the union's choice, not law (no statutory limit is claimed here): an operator
/// replaces it with [`DeadlinePolicy::from_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlinePolicy {
    /// Indexed by the position in [`CaseKind::ALL`], then in [`Tier::ALL`].
    days: [[u32; 3]; 5],
}

fn kind_index(kind: CaseKind) -> usize {
    match kind {
        CaseKind::Consultation => 0,
        CaseKind::Assistance => 1,
        CaseKind::Complaint => 2,
        CaseKind::LegalAid => 3,
        CaseKind::Suggestion => 4,
    }
}

fn tier_index(tier: Tier) -> usize {
    match tier {
        Tier::Simple => 0,
        Tier::Ordinary => 1,
        Tier::Complex => 2,
    }
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            days: [
                [1, 3, 5],
                [5, 10, 20],
                [5, 15, 30],
                [5, 15, 30],
                [5, 10, 15],
            ],
        }
    }
}

fn deadlines_error(message: String) -> ValidationError {
    ValidationError::new(DEADLINES_FIELD, message)
}

impl DeadlinePolicy {
    /// Working days a case of `kind` and `tier` may take.
    pub fn days(&self, kind: CaseKind, tier: Tier) -> u32 {
        self.days[kind_index(kind)][tier_index(tier)]
    }

    /// Reads a policy such as `{"consultation": {"simple": 1, "ordinary": 3, "complex": 5}, …}`.
    /// Every kind and tier must be given, so a forgotten entry is an error at start-up rather
    /// than a silent default weeks later.
    pub fn from_json(json: &str) -> Result<Self, ValidationError> {
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| deadlines_error(format!("办理时限配置不是有效的 JSON：{e}")))?;
        let Some(kinds) = value.as_object() else {
            return Err(deadlines_error(
                "办理时限配置应为以案件类型为键的对象".to_owned(),
            ));
        };
        if let Some(key) = kinds.keys().find(|k| CaseKind::parse(k).is_none()) {
            return Err(deadlines_error(format!(
                "办理时限配置中有未知的案件类型：{key}（应为 consultation、assistance、\
                 complaint、legal_aid、suggestion 之一）"
            )));
        }
        let mut days = [[0; 3]; 5];
        for &kind in CaseKind::ALL {
            let Some(tiers) = kinds.get(kind.as_str()) else {
                return Err(deadlines_error(format!(
                    "办理时限配置缺少案件类型“{}”（{}）",
                    kind.label(),
                    kind.as_str()
                )));
            };
            let Some(tiers) = tiers.as_object() else {
                return Err(deadlines_error(format!(
                    "办理时限配置中“{}”应为以难易程度为键的对象",
                    kind.label()
                )));
            };
            if let Some(key) = tiers.keys().find(|k| Tier::parse(k).is_none()) {
                return Err(deadlines_error(format!(
                    "办理时限配置中“{}”有未知的难易程度：{key}（应为 simple、ordinary、complex \
                     之一）",
                    kind.label()
                )));
            }
            for &tier in Tier::ALL {
                let name = format!("{}·{}", kind.label(), tier.label());
                let Some(v) = tiers.get(tier.as_str()) else {
                    return Err(deadlines_error(format!(
                        "办理时限配置缺少“{name}”（{}.{}）",
                        kind.as_str(),
                        tier.as_str()
                    )));
                };
                let n = v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (1..=MAX_DEADLINE_DAYS).contains(n))
                    .ok_or_else(|| {
                        deadlines_error(format!(
                            "办理时限配置中“{name}”应为1到{MAX_DEADLINE_DAYS}之间的整数\
                             （个工作日），现为 {v}"
                        ))
                    })?;
                days[kind_index(kind)][tier_index(tier)] = n;
            }
        }
        Ok(Self { days })
    }
}

/// Writes the shape [`DeadlinePolicy::from_json`] reads, kinds and tiers in their usual order.
impl serde::Serialize for DeadlinePolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        struct Tiers<'a>(&'a [u32; 3]);
        impl serde::Serialize for Tiers<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(Tier::ALL.len()))?;
                for &tier in Tier::ALL {
                    map.serialize_entry(tier.as_str(), &self.0[tier_index(tier)])?;
                }
                map.end()
            }
        }

        let mut map = s.serialize_map(Some(CaseKind::ALL.len()))?;
        for &kind in CaseKind::ALL {
            map.serialize_entry(kind.as_str(), &Tiers(&self.days[kind_index(kind)]))?;
        }
        map.end()
    }
}

/// The deadline clock of one case, counted in working days from submission.
///
/// While the case waits for the worker (待补充材料) the clock stands still: the union cannot be
/// late on account of the worker's own delay. A pause covers the working days after the day it
/// started up to and including the day it ended, the same half-open range as
/// [`BusinessCalendar::working_days_between`]: the day the handler asks still counts against
/// the union, the day the worker answers does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseClock {
    pub submitted_on: NaiveDate,
    pub limit_days: u32,
    /// Working days spent in finished pauses.
    pub paused_working_days: i64,
    /// The start of the current pause, if the clock is paused.
    pub paused_since: Option<NaiveDate>,
}

impl CaseClock {
    /// A running clock for a case filed on `submitted_on` with `limit_days` working days.
    pub fn new(submitted_on: NaiveDate, limit_days: u32) -> Self {
        Self {
            submitted_on,
            limit_days,
            paused_working_days: 0,
            paused_since: None,
        }
    }

    /// Stops the clock on `on`, when the case starts waiting for the worker.
    pub fn pause(self, on: NaiveDate) -> Result<Self, ValidationError> {
        if let Some(since) = self.paused_since {
            return Err(ValidationError::new(
                STATE_FIELD,
                format!("办理时限已于 {since} 起暂停计算，不能重复暂停"),
            ));
        }
        if on < self.submitted_on {
            return Err(ValidationError::new(
                DATE_FIELD,
                format!(
                    "办理时限暂停日期 {on} 早于案件提交日期 {}",
                    self.submitted_on
                ),
            ));
        }
        Ok(Self {
            paused_since: Some(on),
            ..self
        })
    }

    /// Restarts the clock on `on`, when the worker answers; the working days of the pause are
    /// added to the time allowed.
    pub fn resume(self, cal: &BusinessCalendar, on: NaiveDate) -> Result<Self, ValidationError> {
        let Some(since) = self.paused_since else {
            return Err(ValidationError::new(
                STATE_FIELD,
                "办理时限未暂停计算，不能恢复计算",
            ));
        };
        if on < since {
            return Err(ValidationError::new(
                DATE_FIELD,
                format!("办理时限恢复计算日期 {on} 早于暂停日期 {since}"),
            ));
        }
        Ok(Self {
            paused_working_days: self
                .paused_working_days
                .saturating_add(cal.working_days_between(since, on)),
            paused_since: None,
            ..self
        })
    }

    /// The last day the case may be handled on; `None` while paused, when no date is known
    /// because it depends on when the worker answers.
    pub fn due_on(&self, cal: &BusinessCalendar) -> Option<NaiveDate> {
        if self.paused_since.is_some() {
            return None;
        }
        let paused = u32::try_from(self.paused_working_days.max(0)).unwrap_or(u32::MAX);
        Some(cal.add_working_days(self.submitted_on, self.limit_days.saturating_add(paused)))
    }

    /// Whether the deadline has passed on `today`; never while the clock is paused.
    pub fn is_overdue(&self, cal: &BusinessCalendar, today: NaiveDate) -> bool {
        self.due_on(cal).is_some_and(|due| today > due)
    }
}

/// How many levels up the org tree an overdue case has been escalated (督办) on `today`.
///
/// 0 up to `due_on`, and also on days off right after it: escalation lands on the first working
/// day past the deadline, when someone at the parent union is there to act. Then level 1 for
/// `every_working_days` working days, level 2 for the next as many, and so on: with 5, level 1
/// for working days 1..=5 past the deadline, 2 for 6..=10. An `every_working_days` of 0 is taken
/// as 1 rather than dividing by zero.
pub fn escalation_level(
    due_on: NaiveDate,
    today: NaiveDate,
    every_working_days: u32,
    cal: &BusinessCalendar,
) -> u32 {
    let late = cal.working_days_between(due_on, today);
    if late <= 0 {
        return 0;
    }
    let every = i64::from(every_working_days.max(1));
    u32::try_from(1 + (late - 1) / every).unwrap_or(u32::MAX)
}

/// The index, in the org path `path_ids` (root first, the handling union at `handling_index`),
/// of the union that supervises a case escalated `level` levels: one level up per escalation,
/// stopping at the root, which has nobody above it.
///
/// A `handling_index` past the end of the path is taken as its last org, so a stale index still
/// names an org on the path.
pub fn escalation_target(path_ids: &[i64], handling_index: usize, level: u32) -> usize {
    let handling = handling_index.min(path_ids.len().saturating_sub(1));
    handling.saturating_sub(usize::try_from(level).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cal() -> BusinessCalendar {
        let c = BusinessCalendar::builtin();
        assert!(c.covers(2026));
        c
    }

    fn flow(state: CaseState) -> CaseFlow {
        CaseFlow {
            state,
            ..CaseFlow::default()
        }
    }

    fn decline() -> CaseEvent {
        CaseEvent::Decline {
            reason: "不属于工会受理范围".to_owned(),
        }
    }

    fn ask() -> CaseEvent {
        CaseEvent::AskWorker {
            question: "请补充劳动合同复印件".to_owned(),
        }
    }

    fn resolve() -> CaseEvent {
        CaseEvent::Resolve {
            answer: "已与用人单位协商，工资于本月补发".to_owned(),
        }
    }

    fn rate(satisfied: bool) -> CaseEvent {
        CaseEvent::Rate {
            satisfied,
            comment: String::new(),
        }
    }

    fn every_event() -> Vec<CaseEvent> {
        vec![
            CaseEvent::Accept,
            decline(),
            CaseEvent::Start,
            ask(),
            CaseEvent::WorkerAnswered,
            resolve(),
            rate(true),
            rate(false),
            CaseEvent::Close,
        ]
    }

    #[test]
    fn kinds_tiers_and_states_round_trip() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
        {
            for &v in all {
                assert_eq!(parse(as_str(v)), Some(v));
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{}\"", as_str(v)));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
            }
            assert_eq!(parse("nonsense"), None);
            assert!(serde_json::from_str::<T>("\"nonsense\"").is_err());
        }
        check(CaseKind::ALL, CaseKind::as_str, CaseKind::parse);
        check(Tier::ALL, Tier::as_str, Tier::parse);
        check(CaseState::ALL, CaseState::as_str, CaseState::parse);
        let kinds: Vec<_> = CaseKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(kinds, ["咨询", "求助", "投诉", "法律援助", "建议"]);
        let tiers: Vec<_> = Tier::ALL.iter().map(|t| t.label()).collect();
        assert_eq!(tiers, ["简单", "一般", "复杂"]);
        let states: Vec<_> = CaseState::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            states,
            [
                "已提交",
                "已受理",
                "不予受理",
                "办理中",
                "待补充材料",
                "已办结",
                "已关闭"
            ]
        );
        assert_eq!(CaseKind::LegalAid.as_str(), "legal_aid");
        assert_eq!(CaseState::WaitingOnWorker.as_str(), "waiting_on_worker");
        assert_eq!(CaseState::InProgress.to_string(), "办理中");
    }

    #[test]
    fn open_cases_are_those_awaiting_the_union() {
        let open: Vec<_> = CaseState::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            [
                &CaseState::Submitted,
                &CaseState::Accepted,
                &CaseState::InProgress,
                &CaseState::WaitingOnWorker
            ]
        );
    }

    #[test]
    fn a_case_goes_from_filing_to_closing() {
        let mut f = CaseFlow::default();
        assert_eq!(f.state, CaseState::Submitted);
        for (event, state) in [
            (CaseEvent::Accept, CaseState::Accepted),
            (CaseEvent::Start, CaseState::InProgress),
            (ask(), CaseState::WaitingOnWorker),
            (CaseEvent::WorkerAnswered, CaseState::InProgress),
            (resolve(), CaseState::Resolved),
            (rate(true), CaseState::Closed),
        ] {
            f = f.apply(&event).unwrap();
            assert_eq!(f.state, state, "{event:?}");
        }
        assert!(!f.reopened);
        assert!(!f.review_by_parent);
    }

    #[test]
    fn exactly_the_allowed_transitions_are_allowed() {
        use CaseState as S;
        // (from, event label, to) for every transition the rules allow.
        let allowed = [
            (S::Submitted, "受理", S::Accepted),
            (S::Submitted, "作出不予受理决定", S::Declined),
            (S::Accepted, "开始办理", S::InProgress),
            (S::Accepted, "要求补充材料", S::WaitingOnWorker),
            (S::InProgress, "要求补充材料", S::WaitingOnWorker),
            (S::WaitingOnWorker, "提交补充材料", S::InProgress),
            (S::Accepted, "办结", S::Resolved),
            (S::InProgress, "办结", S::Resolved),
            (S::Resolved, "评价", S::Closed),
            (S::Resolved, "评价", S::InProgress),
            (S::Resolved, "关闭", S::Closed),
            (S::Declined, "关闭", S::Closed),
        ];
        let mut seen = Vec::new();
        for &state in CaseState::ALL {
            for event in every_event() {
                match flow(state).apply(&event) {
                    Ok(next) => {
                        let t = (state, event.label(), next.state);
                        assert!(allowed.contains(&t), "{t:?} should be refused");
                        seen.push(t);
                    }
                    Err(err) => {
                        assert_eq!(err.field, "state");
                        assert_eq!(
                            err.message,
                            format!("案件当前为“{}”，不能{}", state.label(), event.label())
                        );
                    }
                }
            }
        }
        for t in allowed {
            assert!(seen.contains(&t), "{t:?} should be allowed");
        }
    }

    #[test]
    fn refusals_name_the_current_state() {
        let err = flow(CaseState::Resolved)
            .apply(&CaseEvent::Accept)
            .unwrap_err();
        assert_eq!(err.field, "state");
        assert_eq!(err.message, "案件当前为“已办结”，不能受理");
        let err = flow(CaseState::Closed).apply(&rate(false)).unwrap_err();
        assert_eq!(err.message, "案件当前为“已关闭”，不能评价");
        let err = flow(CaseState::Submitted).apply(&resolve()).unwrap_err();
        assert_eq!(err.message, "案件当前为“已提交”，不能办结");
        let err = flow(CaseState::WaitingOnWorker)
            .apply(&resolve())
            .unwrap_err();
        assert_eq!(err.message, "案件当前为“待补充材料”，不能办结");
        let err = flow(CaseState::InProgress)
            .apply(&CaseEvent::Close)
            .unwrap_err();
        assert_eq!(err.message, "案件当前为“办理中”，不能关闭");
        let err = flow(CaseState::Declined)
            .apply(&CaseEvent::Accept)
            .unwrap_err();
        assert_eq!(err.message, "案件当前为“不予受理”，不能受理");
        // The state is checked before the text: an impossible step is not told to fill it in.
        let err = flow(CaseState::Closed)
            .apply(&CaseEvent::Decline {
                reason: String::new(),
            })
            .unwrap_err();
        assert_eq!(err.field, "state");
    }

    #[test]
    fn declining_needs_a_reason_that_fits() {
        let submitted = CaseFlow::default();
        for reason in ["", "  \n "] {
            let err = submitted
                .apply(&CaseEvent::Decline {
                    reason: reason.to_owned(),
                })
                .unwrap_err();
            assert_eq!(err.field, "reason");
            assert_eq!(err.message, "不予受理理由不能为空");
        }
        let fits = "理".repeat(MAX_NOTE_CHARS);
        let f = submitted
            .apply(&CaseEvent::Decline {
                reason: format!(" {fits} "),
            })
            .unwrap();
        assert_eq!(f.state, CaseState::Declined);
        let err = submitted
            .apply(&CaseEvent::Decline {
                reason: format!("{fits}由"),
            })
            .unwrap_err();
        assert_eq!(err.field, "reason");
        assert_eq!(err.message, "不予受理理由不能超过500个字（现为501个字）");
    }

    #[test]
    fn asking_and_resolving_need_their_text() {
        let accepted = flow(CaseState::Accepted);
        let err = accepted
            .apply(&CaseEvent::AskWorker {
                question: " ".to_owned(),
            })
            .unwrap_err();
        assert_eq!(err.field, "question");
        assert_eq!(err.message, "需补充的材料说明不能为空");
        let err = accepted
            .apply(&CaseEvent::Resolve {
                answer: String::new(),
            })
            .unwrap_err();
        assert_eq!(err.field, "answer");
        assert_eq!(err.message, "办结答复不能为空");
    }

    #[test]
    fn a_rating_comment_fits_500_characters() {
        let resolved = flow(CaseState::Resolved);
        let ok = CaseEvent::Rate {
            satisfied: true,
            comment: "好".repeat(MAX_NOTE_CHARS),
        };
        assert_eq!(resolved.apply(&ok).unwrap().state, CaseState::Closed);
        let long = CaseEvent::Rate {
            satisfied: false,
            comment: "差".repeat(MAX_NOTE_CHARS + 1),
        };
        let err = resolved.apply(&long).unwrap_err();
        assert_eq!(err.field, "comment");
        assert!(err.message.contains("评价意见"), "{}", err.message);
    }

    #[test]
    fn an_unsatisfied_rating_reopens_the_case_once() {
        let resolved = flow(CaseState::Resolved);
        let reopened = resolved.apply(&rate(false)).unwrap();
        assert_eq!(
            reopened,
            CaseFlow {
                state: CaseState::InProgress,
                reopened: true,
                review_by_parent: true,
            }
        );
        // Handled again, possibly asking the worker once more; the marks are kept throughout.
        let mut f = reopened;
        for event in [ask(), CaseEvent::WorkerAnswered, resolve()] {
            f = f.apply(&event).unwrap();
            assert!(f.reopened && f.review_by_parent, "{event:?}");
        }
        assert_eq!(f.state, CaseState::Resolved);
        // The second unsatisfied rating closes it, still marked for the parent's review.
        let closed = f.apply(&rate(false)).unwrap();
        assert_eq!(
            closed,
            CaseFlow {
                state: CaseState::Closed,
                reopened: true,
                review_by_parent: true,
            }
        );
        // A satisfied rating after the reopening closes it too, and the review still stands.
        let closed = f.apply(&rate(true)).unwrap();
        assert_eq!(closed.state, CaseState::Closed);
        assert!(closed.review_by_parent);
        // A satisfied first rating asks for no review.
        let closed = resolved.apply(&rate(true)).unwrap();
        assert_eq!(closed, flow(CaseState::Closed));
    }

    #[test]
    fn unrated_and_declined_cases_can_be_closed() {
        for state in [CaseState::Resolved, CaseState::Declined] {
            let f = flow(state).apply(&CaseEvent::Close).unwrap();
            assert_eq!(f.state, CaseState::Closed);
        }
    }

    #[test]
    fn the_default_policy_covers_every_kind_and_tier() {
        let p = DeadlinePolicy::default();
        for &kind in CaseKind::ALL {
            let days: Vec<_> = Tier::ALL.iter().map(|&t| p.days(kind, t)).collect();
            assert!(days.iter().all(|d| (1..=MAX_DEADLINE_DAYS).contains(d)));
            assert!(days.windows(2).all(|w| w[0] <= w[1]), "{kind:?}: {days:?}");
        }
        assert_eq!(p.days(CaseKind::Consultation, Tier::Simple), 1);
        assert_eq!(p.days(CaseKind::Complaint, Tier::Ordinary), 15);
        assert_eq!(p.days(CaseKind::LegalAid, Tier::Complex), 30);
        assert_eq!(p.days(CaseKind::Suggestion, Tier::Complex), 15);
        assert_eq!(p.days(CaseKind::Assistance, Tier::Complex), 20);
    }

    #[test]
    fn a_policy_reads_back_what_it_writes() {
        let json = serde_json::to_string(&DeadlinePolicy::default()).unwrap();
        assert!(
            json.starts_with(r#"{"consultation":{"simple":1,"ordinary":3,"complex":5},"#),
            "{json}"
        );
        assert_eq!(
            DeadlinePolicy::from_json(&json).unwrap(),
            DeadlinePolicy::default()
        );
        let custom = json.replace(r#""complex":30"#, r#""complex":45"#);
        let p = DeadlinePolicy::from_json(&custom).unwrap();
        assert_eq!(p.days(CaseKind::Complaint, Tier::Complex), 45);
        assert_eq!(p.days(CaseKind::LegalAid, Tier::Complex), 45);
        assert_eq!(p.days(CaseKind::Assistance, Tier::Complex), 20);
    }

    #[test]
    fn bad_policies_are_refused_with_a_reason() {
        let ok = serde_json::to_string(&DeadlinePolicy::default()).unwrap();
        let consultation = r#""consultation":{"simple":1,"ordinary":3,"complex":5}"#;
        assert!(ok.contains(consultation));
        let cases = [
            ("not json".to_owned(), "JSON"),
            ("[1, 2]".to_owned(), "以案件类型为键"),
            (
                ok.replace("\"consultation\"", "\"chat\""),
                "未知的案件类型：chat",
            ),
            (
                ok.replace(&format!("{consultation},"), ""),
                "缺少案件类型“咨询”",
            ),
            (
                ok.replace(consultation, r#""consultation":5"#),
                "“咨询”应为以难易程度为键",
            ),
            (
                ok.replace(r#""simple":1"#, r#""simple":1,"urgent":1"#),
                "未知的难易程度：urgent",
            ),
            (
                ok.replace(r#""simple":1,"#, ""),
                "缺少“咨询·简单”（consultation.simple）",
            ),
            (
                ok.replace(r#""simple":1"#, r#""simple":0"#),
                "“咨询·简单”应为1到365",
            ),
            (ok.replace(r#""simple":1"#, r#""simple":366"#), "现为 366"),
            (ok.replace(r#""simple":1"#, r#""simple":-1"#), "现为 -1"),
            (ok.replace(r#""simple":1"#, r#""simple":1.5"#), "现为 1.5"),
            (ok.replace(r#""simple":1"#, r#""simple":"1""#), "整数"),
            (
                ok.replace(r#""simple":1"#, r#""simple":4294967297"#),
                "应为1到365",
            ),
        ];
        for (json, needle) in cases {
            let err = DeadlinePolicy::from_json(&json).unwrap_err();
            assert_eq!(err.field, "deadlines");
            assert!(err.message.contains("办理时限配置"), "{}", err.message);
            assert!(err.message.contains(needle), "{json}: {}", err.message);
        }
    }

    #[test]
    fn the_clock_stands_still_while_waiting_across_national_day() {
        let c = cal();
        // Filed Monday 2026-09-28 with 5 working days: Tue 29 (1), Wed 30 (2); 10-01..10-07
        // off; Thu 10-08 (3), Fri 10-09 (4), Sat 10-10 worked in exchange (5).
        let clock = CaseClock::new(day(2026, 9, 28), 5);
        assert_eq!(clock.due_on(&c), Some(day(2026, 10, 10)));
        assert!(!clock.is_overdue(&c, day(2026, 10, 10)));
        assert!(clock.is_overdue(&c, day(2026, 10, 11)));

        // The handler asks on Tue 09-29; the worker answers on Fri 10-09. The pause covers the
        // working days after 09-29 up to 10-09: Wed 30, Thu 10-08, Fri 10-09, that is 3.
        let paused = clock.pause(day(2026, 9, 29)).unwrap();
        assert_eq!(paused.due_on(&c), None);
        assert!(
            !paused.is_overdue(&c, day(2026, 12, 31)),
            "never while paused"
        );
        let resumed = paused.resume(&c, day(2026, 10, 9)).unwrap();
        assert_eq!(resumed.paused_working_days, 3);
        assert_eq!(resumed.paused_since, None);
        // 5 + 3 = 8 working days: Sat 10-10 (5), Sun 11 off, Mon 12 (6), Tue 13 (7), Wed 14 (8).
        assert_eq!(resumed.due_on(&c), Some(day(2026, 10, 14)));
        assert!(!resumed.is_overdue(&c, day(2026, 10, 14)));
        assert!(resumed.is_overdue(&c, day(2026, 10, 15)));

        // A second pause adds up: asked Wed 10-14, answered Mon 10-19 (Thu 15, Fri 16, Mon 19).
        let twice = resumed
            .pause(day(2026, 10, 14))
            .and_then(|k| k.resume(&c, day(2026, 10, 19)))
            .unwrap();
        assert_eq!(twice.paused_working_days, 6);
        // 11 working days: Thu 15 (9), Fri 16 (10), Mon 19 (11).
        assert_eq!(twice.due_on(&c), Some(day(2026, 10, 19)));

        // A pause over days off only moves nothing: asked Friday, answered Sunday.
        let weekend = clock
            .pause(day(2026, 10, 16))
            .and_then(|k| k.resume(&c, day(2026, 10, 18)))
            .unwrap();
        assert_eq!(weekend.paused_working_days, 0);
        assert_eq!(weekend.due_on(&c), clock.due_on(&c));
    }

    #[test]
    fn the_clock_refuses_pauses_out_of_order() {
        let c = cal();
        let clock = CaseClock::new(day(2026, 9, 28), 5);
        let err = clock.resume(&c, day(2026, 9, 29)).unwrap_err();
        assert_eq!(err.field, "state");
        assert_eq!(err.message, "办理时限未暂停计算，不能恢复计算");
        let paused = clock.pause(day(2026, 9, 29)).unwrap();
        let err = paused.pause(day(2026, 9, 30)).unwrap_err();
        assert_eq!(err.field, "state");
        assert_eq!(
            err.message,
            "办理时限已于 2026-09-29 起暂停计算，不能重复暂停"
        );
        let err = paused.resume(&c, day(2026, 9, 28)).unwrap_err();
        assert_eq!(err.field, "date");
        assert!(err.message.contains("早于暂停日期"), "{}", err.message);
        let err = clock.pause(day(2026, 9, 27)).unwrap_err();
        assert_eq!(err.field, "date");
        assert!(err.message.contains("早于案件提交日期"), "{}", err.message);
    }

    #[test]
    fn escalation_goes_up_a_level_every_few_working_days() {
        let c = cal();
        // Due Friday 2026-03-06, an ordinary fortnight follows; escalate every 5 working days.
        let due = day(2026, 3, 6);
        let level = |today| escalation_level(due, today, 5, &c);
        assert_eq!(level(day(2026, 3, 5)), 0);
        assert_eq!(level(due), 0);
        // Overdue on the weekend, but nobody escalates before Monday.
        assert_eq!(level(day(2026, 3, 7)), 0);
        assert_eq!(level(day(2026, 3, 8)), 0);
        assert_eq!(level(day(2026, 3, 9)), 1, "1st working day late");
        assert_eq!(level(day(2026, 3, 13)), 1, "5th");
        assert_eq!(level(day(2026, 3, 15)), 1, "Sunday after the 5th");
        assert_eq!(level(day(2026, 3, 16)), 2, "6th");
        assert_eq!(level(day(2026, 3, 20)), 2, "10th");
        assert_eq!(level(day(2026, 3, 23)), 3, "11th");
        // Across National Day the holiday week does not count.
        let due = day(2026, 9, 30);
        assert_eq!(escalation_level(due, day(2026, 10, 7), 5, &c), 0);
        assert_eq!(escalation_level(due, day(2026, 10, 8), 5, &c), 1);
        // 10-08, 09, 10 (worked), 12, 13 are late days 1..=5; 10-14 is the 6th.
        assert_eq!(escalation_level(due, day(2026, 10, 13), 5, &c), 1);
        assert_eq!(escalation_level(due, day(2026, 10, 14), 5, &c), 2);
    }

    #[test]
    fn escalating_every_day_or_every_zero_days() {
        let c = cal();
        let due = day(2026, 3, 6);
        for every in [0, 1] {
            assert_eq!(escalation_level(due, day(2026, 3, 9), every, &c), 1);
            assert_eq!(escalation_level(due, day(2026, 3, 10), every, &c), 2);
            assert_eq!(escalation_level(due, day(2026, 3, 13), every, &c), 5);
        }
    }

    #[test]
    fn the_supervisor_is_the_level_th_org_above_stopping_at_the_root() {
        // 全国总工会 > 省总工会 > 市总工会 > 区总工会 > 街道工会; the street union handles.
        let path = [1, 10, 100, 1000, 10000];
        assert_eq!(escalation_target(&path, 4, 0), 4);
        assert_eq!(escalation_target(&path, 4, 1), 3);
        assert_eq!(escalation_target(&path, 4, 3), 1);
        assert_eq!(escalation_target(&path, 4, 4), 0);
        assert_eq!(escalation_target(&path, 4, 5), 0, "nobody above the root");
        assert_eq!(escalation_target(&path, 4, u32::MAX), 0);
        assert_eq!(
            escalation_target(&path, 0, 1),
            0,
            "the root handles its own"
        );
        assert_eq!(escalation_target(&path, 2, 1), 1);
        assert_eq!(
            escalation_target(&path, 9, 1),
            3,
            "a stale index is the last org"
        );
        assert_eq!(escalation_target(&[], 3, 1), 0);
    }
}
