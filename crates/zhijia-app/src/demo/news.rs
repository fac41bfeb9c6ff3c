//! Demo news (资讯): channels at every level above a grassroots union with members (province,
//! city, county, the union itself) with their names and intros, a few hundred articles written
//! from templates and published over the past months, pinned notices, the legal knowledge base
//! (four answers on each of the five topics, citing the laws they rest on), and a few articles
//! waiting for review so the console's queue is not empty. Rows have no writer (the demo), so
//! the demo administrator may review them.

use crate::{AppError, Result};
use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zhijia_domain::article::{ArticleInput, CheckedArticle};
use zhijia_domain::org::OrgLevel;
use zhijia_store::article::{self as store, Article, Meta};
use zhijia_store::membership::RosterFilter;
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::{Store, Unaudited};

/// Adds the samples; a failure is logged, never stops the demo.
pub async fn samples(db: &Store) -> Result<()> {
    if let Err(e) = add_samples(db).await {
        tracing::warn!(error = %e, "demo news samples left out");
    }
    Ok(())
}

/// A grassroots union with members and the province, city and county above it: the union of
/// the demo's sample member (19900000002) when there is one, so that member's feed has all four.
async fn levels(db: &Store) -> Result<Option<Vec<Org>>> {
    let mut unions = org_store::with_employer(db, 40).await?;
    let sample = zhijia_store::worker::find_by_phone(db, "19900000002")
        .await?
        .and_then(|w| w.org_id);
    if let Some(at) = unions.iter().position(|o| Some(o.id) == sample) {
        let union = unions.remove(at);
        unions.insert(0, union);
    }
    for org in unions {
        let page =
            zhijia_store::membership::roster(db, &org.path, &RosterFilter::default(), 1, 0).await?;
        if page.total > 0 {
            let mut out = Vec::new();
            for level in [OrgLevel::Province, OrgLevel::City, OrgLevel::County] {
                out.push(crate::aid::application::stage_org(db, &org.path, level).await?);
            }
            out.push(org);
            return Ok(Some(out));
        }
    }
    Ok(None)
}

async fn add_samples(db: &Store) -> Result<()> {
    let Some(orgs) = levels(db).await? else {
        return Ok(());
    };
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let now = Utc::now();
    let mut tx = db.change().await?;
    for org in &orgs {
        let name = format!("{}资讯", org.name.trim_end_matches("委员会"));
        let intro = format!("{}的工作动态、政策解读和服务信息。", org.name);
        store::channel::set(&mut tx, org.id, (&name, &intro), None, None, now).await?;
    }
    // Articles from templates, spread over the past 180 days.
    for i in 0..300usize {
        let org = &orgs[i % orgs.len()];
        let (title, body) = from_template(i, &org.name);
        let text = checked(ArticleInput {
            kind: "article".into(),
            title,
            summary: SUMMARIES[i % SUMMARIES.len()].into(),
            body,
            tags: TAGS[i % TAGS.len()].into(),
            source: (i % 7 == 0).then(|| "《工人日报》".to_owned()),
            ..ArticleInput::default()
        })?;
        let at = now - Duration::minutes(rng.random_range(60..180 * 24 * 60));
        publish(&mut tx, org, text, at, rng.random_range(3..900)).await?;
    }
    for (k, (title, body)) in NOTICES.iter().enumerate() {
        let org = &orgs[k % 3];
        let text = checked(ArticleInput {
            kind: "notice".into(),
            title: (*title).into(),
            body: (*body).into(),
            pinned: k < 3,
            expires_at: Some(now + Duration::days(30)),
            ..ArticleInput::default()
        })?;
        publish(
            &mut tx,
            org,
            text,
            now - Duration::hours(k as i64 * 5 + 1),
            120,
        )
        .await?;
    }
    for (k, (topic, title, body)) in ANSWERS.iter().enumerate() {
        let text = checked(ArticleInput {
            kind: "answer".into(),
            topic: Some((*topic).into()),
            title: (*title).into(),
            summary: String::new(),
            body: (*body).into(),
            tags: "法律知识".into(),
            ..ArticleInput::default()
        })?;
        let at = now - Duration::days(40 + k as i64);
        publish(&mut tx, &orgs[1], text, at, rng.random_range(50..2000)).await?;
    }
    for (k, title) in IN_REVIEW.iter().enumerate() {
        let text = checked(ArticleInput {
            kind: "article".into(),
            title: (*title).into(),
            summary: "待审核的稿件".into(),
            body: "## 活动概况\n\n本次活动共有 120 名职工参加。\n\n- 时间：本周六上午\n- 地点：职工活动中心".into(),
            ..ArticleInput::default()
        })?;
        let org = &orgs[1 + k % 3];
        let id = insert(&mut tx, org, text, now).await?;
        zhijia_store::publishable::submit::<Article>(&mut tx, id).await?;
    }
    tx.commit_unaudited(Unaudited::DemoData).await?;
    Ok(())
}

fn checked(input: ArticleInput) -> Result<CheckedArticle> {
    input
        .validate(Utc::now())
        .map_err(|e| AppError::Config(format!("演示资讯不合格：{}", e.message)))
}

async fn insert(
    tx: &mut zhijia_store::Tx,
    org: &Org,
    text: CheckedArticle,
    now: chrono::DateTime<Utc>,
) -> Result<zhijia_domain::ids::ArticleId> {
    let a = Article {
        text,
        edited_by: None,
        meta: Meta::default(),
    };
    Ok(zhijia_store::publishable::insert(tx, org.id, &a, None, now).await?)
}

async fn publish(
    tx: &mut zhijia_store::Tx,
    org: &Org,
    text: CheckedArticle,
    at: chrono::DateTime<Utc>,
    reads: i64,
) -> Result<()> {
    let id = insert(tx, org, text, at).await?;
    store::demo_publish(tx, id, at, reads).await?;
    Ok(())
}

const SUMMARIES: &[&str] = &[
    "工会组织职工开展活动，服务职工群众。",
    "聚焦职工急难愁盼，推动服务落地见效。",
    "以赛促学、以赛促练，提升职工技能。",
    "送温暖、送清凉、送健康，关爱一线劳动者。",
];

const TAGS: &[&str] = &[
    "工会动态",
    "劳动竞赛,技能",
    "困难帮扶",
    "新就业形态",
    "职工文化",
    "普惠服务",
];

/// What the template articles are about: a title pattern and a paragraph.
const SUBJECTS: &[(&str, &str)] = &[
    (
        "{org}举办第{n}期职工技能培训班",
        "培训围绕岗位技能、安全生产和数字技能展开，参训职工通过考核后可获得结业证书。",
    ),
    (
        "{org}开展“夏送清凉”慰问一线职工",
        "工会干部走进生产一线、建筑工地和户外劳动者驿站，送去防暑降温用品和慰问金。",
    ),
    (
        "{org}召开第{n}次职工代表大会",
        "会议审议通过了集体合同草案和职工福利方案，职工代表围绕薪酬、休假和劳动保护提出建议。",
    ),
    (
        "{org}组织第{n}届职工运动会",
        "运动会设拔河、跳绳、趣味接力等项目，吸引了各基层工会的职工踊跃参加。",
    ),
    (
        "{org}走访慰问困难职工家庭",
        "工会了解困难职工的家庭收入、就医和子女就学情况，落实帮扶措施。",
    ),
    (
        "{org}为新就业形态劳动者办理入会",
        "快递员、外卖骑手和网约车司机通过线上渠道“一键入会”，享受工会会员服务。",
    ),
    (
        "{org}举行劳动和技能竞赛颁奖仪式",
        "竞赛涵盖电工、焊工、数控车工等工种，获奖选手将按规定申报技术等级。",
    ),
    (
        "{org}开展法律服务进企业活动",
        "工会法律服务志愿者为职工解答劳动合同、工资支付和工伤认定等问题。",
    ),
];

fn from_template(i: usize, org: &str) -> (String, String) {
    let (title, para) = SUBJECTS[i % SUBJECTS.len()];
    let short = org
        .trim_end_matches("委员会")
        .trim_end_matches("工会")
        .to_owned();
    let short = if short.chars().count() > 14 {
        short.chars().take(14).collect()
    } else {
        short
    };
    let title = title
        .replace("{org}", &short)
        .replace("{n}", &(i / SUBJECTS.len() + 1).to_string());
    let body = format!(
        "{para}\n\n## 主要内容\n\n- 参与职工：{} 人\n- 覆盖单位：{} 家\n\n> 工会将持续做好服务职工工作，欢迎职工通过“网上职工之家”反映诉求。",
        40 + (i * 37) % 400,
        3 + (i * 7) % 40
    );
    (title, body)
}

const IN_REVIEW: &[&str] = &[
    "职工书屋新增图书两百册",
    "关于举办职工摄影比赛的报道",
    "户外劳动者驿站服务情况通报",
    "工会帮扶中心开展就业援助月活动",
];

const NOTICES: &[(&str, &str)] = &[
    (
        "关于开展2026年金秋助学活动的通知",
        "各基层工会：\n\n今年金秋助学面向困难职工家庭中当年考入全日制普通高校的子女。请于 **8 月 31 日前** 通过“网上职工之家”提交申请。\n\n1. 申请人须为在册会员\n2. 家庭人均收入低于当地最低工资标准\n\n咨询电话：12351",
    ),
    (
        "关于春节期间走访慰问困难职工的通知",
        "请各级工会在春节前完成困难职工走访慰问，慰问情况通过帮扶台账登记。",
    ),
    (
        "关于推荐评选市级劳动模范的通知",
        "推荐对象应为在生产、工作一线作出突出贡献的职工，一线职工和专业技术人员比例不低于 70%。",
    ),
    (
        "职工疗休养报名通知",
        "2026 年度职工疗休养开始报名，每位会员每年可参加一次，名额有限，先到先得。",
    ),
];

/// The legal knowledge base: (topic, question, answer), four on each topic.
const ANSWERS: &[(&str, &str, &str)] = &[
    (
        "wages",
        "公司拖欠工资怎么办？",
        "《劳动合同法》第三十条规定，用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。\n\n遇到拖欠工资，可以：\n\n1. 保留劳动合同、考勤、工资条、银行流水等证据；\n2. 拨打 **12333** 或向当地劳动保障监察机构投诉；\n3. 向劳动人事争议仲裁委员会申请仲裁；\n4. 依法向人民法院申请支付令。\n\n用人单位逾期仍不支付的，依第八十五条，可责令其按应付金额百分之五十以上百分之一百以下的标准加付赔偿金。",
    ),
    (
        "wages",
        "加班费怎么计算？",
        "依据《劳动法》第四十四条：\n\n- 工作日延长工作时间的，支付不低于工资的 **150%**；\n- 休息日安排工作又不能安排补休的，支付不低于工资的 **200%**；\n- 法定休假日安排工作的，支付不低于工资的 **300%**。\n\n加班应由用人单位安排，建议保留加班审批、打卡记录等证据。",
    ),
    (
        "wages",
        "试用期工资最低是多少？",
        "《劳动合同法》第二十条规定，劳动者在试用期的工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之八十，并不得低于用人单位所在地的最低工资标准。",
    ),
    (
        "wages",
        "公司能用购物卡代替工资发放吗？",
        "不能。《工资支付暂行规定》第五条规定，工资应当以法定货币支付，不得以实物及有价证券替代货币支付。",
    ),
    (
        "contract",
        "入职多久必须签订书面劳动合同？",
        "《劳动合同法》第十条规定，已建立劳动关系，未同时订立书面劳动合同的，应当自用工之日起一个月内订立。\n\n依第八十二条，用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付**二倍的工资**。",
    ),
    (
        "contract",
        "试用期最长可以约定多久？",
        "依《劳动合同法》第十九条：\n\n- 合同期限三个月以上不满一年的，试用期不得超过一个月；\n- 一年以上不满三年的，不得超过二个月；\n- 三年以上固定期限和无固定期限的，不得超过六个月。\n\n同一用人单位与同一劳动者只能约定一次试用期。",
    ),
    (
        "contract",
        "公司解除劳动合同要给经济补偿吗？",
        "符合《劳动合同法》第四十六条情形的，用人单位应当支付经济补偿。依第四十七条，按劳动者在本单位工作的年限，每满一年支付一个月工资；六个月以上不满一年的，按一年计算；不满六个月的，支付半个月工资。\n\n违法解除的，依第八十七条按经济补偿标准的**二倍**支付赔偿金。",
    ),
    (
        "contract",
        "辞职需要提前多久通知公司？",
        "《劳动合同法》第三十七条规定，劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同；试用期内提前三日通知即可。\n\n用人单位未及时足额支付劳动报酬、未依法缴纳社会保险费等，劳动者可依第三十八条随时解除，并要求经济补偿。",
    ),
    (
        "social_insurance",
        "公司不给缴社保合法吗？",
        "不合法。《社会保险法》第五十八条规定，用人单位应当自用工之日起三十日内为其职工申请办理社会保险登记。\n\n未按时足额缴纳的，依第八十六条由社会保险费征收机构责令限期缴纳或者补足，并自欠缴之日起按日加收万分之五的滞纳金。职工可向社保征收机构或劳动保障监察机构投诉。",
    ),
    (
        "social_insurance",
        "签了“自愿放弃社保”的协议有效吗？",
        "无效。参加社会保险是用人单位和劳动者的法定义务，不能通过约定免除。劳动者可以依据《劳动合同法》第三十八条解除劳动合同，并要求用人单位支付经济补偿。",
    ),
    (
        "social_insurance",
        "换了工作，社保怎么转移？",
        "《社会保险法》第十九条规定，个人跨统筹地区就业的，其基本养老保险关系随本人转移，缴费年限累计计算；第三十二条对基本医疗保险作了同样规定。\n\n可以通过国家社会保险公共服务平台或“掌上12333”申请转移接续。",
    ),
    (
        "social_insurance",
        "失业了能领失业保险金吗？",
        "依《社会保险法》第四十五条，同时满足以下条件可以领取：\n\n1. 失业前用人单位和本人已经缴纳失业保险费满一年；\n2. 非因本人意愿中断就业；\n3. 已经进行失业登记，并有求职要求。\n\n依第四十六条，累计缴费满一年不足五年的，领取期限最长为十二个月。",
    ),
    (
        "injury",
        "上下班路上出了交通事故算工伤吗？",
        "《工伤保险条例》第十四条第（六）项规定，在上下班途中，受到**非本人主要责任**的交通事故或者城市轨道交通、客运轮渡、火车事故伤害的，应当认定为工伤。",
    ),
    (
        "injury",
        "工伤认定申请有时间限制吗？",
        "有。《工伤保险条例》第十七条规定，用人单位应当自事故伤害发生之日起 30 日内提出工伤认定申请。\n\n用人单位未提出的，工伤职工或者其近亲属、**工会组织**在事故伤害发生之日起 1 年内，可以直接向社会保险行政部门提出申请。",
    ),
    (
        "injury",
        "公司没交工伤保险，受了伤怎么办？",
        "《工伤保险条例》第六十二条规定，应当参加工伤保险而未参加的用人单位职工发生工伤的，由该用人单位按照条例规定的工伤保险待遇项目和标准支付费用。职工仍应先申请工伤认定。",
    ),
    (
        "injury",
        "停工留薪期间工资怎么发？",
        "《工伤保险条例》第三十三条规定，在停工留薪期内，原工资福利待遇不变，由所在单位按月支付。\n\n停工留薪期一般不超过 12 个月；伤情严重或者情况特殊，经设区的市级劳动能力鉴定委员会确认，可以适当延长，但延长不得超过 12 个月。",
    ),
    (
        "gig_work",
        "外卖骑手和平台之间是什么关系？",
        "人力资源社会保障部等八部门《关于维护新就业形态劳动者劳动保障权益的指导意见》（人社部发〔2021〕56号）区分三种情形：\n\n- 符合确立劳动关系情形的，企业应当依法与劳动者订立劳动合同；\n- 不完全符合确立劳动关系情形但企业对劳动者进行劳动管理的，指导企业与劳动者订立书面协议，合理确定双方权利义务；\n- 个人依托平台自主开展经营活动的，按民事法律调整。",
    ),
    (
        "gig_work",
        "骑手送餐途中受伤有保障吗？",
        "自 2022 年 7 月起，部分省市和平台开展新就业形态就业人员**职业伤害保障**试点：平台企业按单缴费，骑手在执行平台订单任务期间受到事故伤害的，可以申请职业伤害确认，享受医疗、伤残等待遇。\n\n请在平台内保留订单和事故记录，并及时报告平台。",
    ),
    (
        "gig_work",
        "平台派单时间太紧，可以反映吗？",
        "可以。市场监管总局等七部门《关于落实网络餐饮平台责任切实维护外卖送餐员权益的指导意见》要求平台优化算法规则，不得将“最严算法”作为考核要求，通过“算法取中”等方式合理确定订单数量、准时率、在线率等考核要素，适当放宽配送时限。\n\n可以通过平台申诉渠道或向工会反映。",
    ),
    (
        "gig_work",
        "快递员、网约车司机可以加入工会吗？",
        "可以。《工会法》第三条规定，在中国境内的企业、事业单位、机关、社会组织中以工资收入为主要生活来源的劳动者，都有依法参加和组织工会的权利；工会适应就业形态等方面的发展变化，依法维护劳动者参加和组织工会的权利。\n\n在本平台“申请入会”时选择“新就业形态劳动者”即可。",
    ),
];
