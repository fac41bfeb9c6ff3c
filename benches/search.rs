//! Search over 100,000 generated Chinese documents (issue 15): `zhijia reindex` timed (the real
//! binary), then the search API's latency (`zhijia serve`, real HTTP from this process) beside a
//! raw tantivy query on the same index in the same run. See docs/benchmarks.md.

use crate::BoxError;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use zhijia_search::{Index, Mode, Query, Viewer};

const WORDS: &[&str] = &[
    "工会",
    "职工",
    "会员",
    "外卖",
    "骑手",
    "快递",
    "货车",
    "司机",
    "网约车",
    "家政",
    "保洁",
    "工资",
    "拖欠",
    "加班费",
    "劳动合同",
    "试用期",
    "社会保险",
    "工伤",
    "职业病",
    "医疗",
    "养老",
    "住房公积金",
    "休息",
    "休假",
    "年假",
    "女职工",
    "生育",
    "哺乳",
    "困难",
    "帮扶",
    "救助",
    "助学",
    "慰问",
    "送温暖",
    "疗休养",
    "体检",
    "技能",
    "培训",
    "竞赛",
    "工匠",
    "劳模",
    "先进",
    "表彰",
    "书屋",
    "读书",
    "文化",
    "体育",
    "运动会",
    "篮球",
    "乒乓球",
    "健步走",
    "摄影",
    "书法",
    "志愿",
    "服务站",
    "驿站",
    "夏季",
    "高温",
    "防暑",
    "清凉",
    "优惠",
    "超市",
    "电影",
    "体检卡",
    "保险",
    "互助",
    "法律",
    "援助",
    "咨询",
    "调解",
    "仲裁",
    "诉讼",
    "维权",
    "热线",
    "平台",
    "算法",
    "派单",
    "配送",
    "时长",
    "收入",
    "集体协商",
    "工资集体协商",
    "民主管理",
    "厂务公开",
    "职代会",
    "安全生产",
    "隐患",
    "事故",
    "应急",
    "演练",
    "社区",
    "街道",
    "园区",
    "企业",
    "车间",
    "班组",
    "新就业形态",
    "灵活就业",
    "农民工",
    "返乡",
    "春运",
    "车票",
    "子女",
    "托育",
    "暑期",
    "托管",
    "心理",
    "健康",
    "讲座",
    "政策",
    "解读",
    "通知",
    "公告",
    "报名",
    "截止",
    "活动",
    "开展",
];
const QUERIES: &[&str] = &[
    "外卖骑手",
    "工资拖欠",
    "劳动合同",
    "工伤保险",
    "女职工",
    "困难帮扶",
    "技能竞赛",
    "劳模工匠",
    "高温防暑",
    "法律援助",
    "集体协商",
    "职工书屋",
    "疗休养",
    "安全生产",
    "新就业形态",
    "心理健康",
    "暑期托管",
    "网约车司机",
    "社会保险",
    "志愿服务",
];

fn sentence(rng: &mut StdRng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        s.push_str(WORDS[rng.random_range(0..WORDS.len())]);
        if i + 1 < words {
            s.push(if rng.random_range(0..6) == 0 {
                '，'
            } else {
                '的'
            });
        }
    }
    s.push('。');
    s
}

/// Writes `n` published articles, notices and answers spread over the demo's unions.
fn write_documents(db: &Path, n: u64) -> Result<(), BoxError> {
    let mut conn = rusqlite::Connection::open(db)?;
    let orgs: Vec<i64> = conn
        .prepare("SELECT id FROM org ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut rng = StdRng::seed_from_u64(15);
    let now = chrono::Utc::now();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO article (org_id, kind, topic, title, summary, body, body_html, tags, \
             status, created_at, published_at) \
             VALUES (?1, ?2, ?3, ?4, '', ?5, '', '', 'published', ?6, ?6)",
        )?;
        for i in 0..n {
            let (kind, topic) = match i % 10 {
                0 => ("answer", Some("wages")),
                1 => ("notice", None),
                _ => ("article", None),
            };
            let org = orgs[rng.random_range(0..orgs.len())];
            let title = sentence(&mut rng, 3);
            let body = (0..6).map(|_| sentence(&mut rng, 8)).collect::<String>();
            let at = now - chrono::Duration::minutes(i64::try_from(i)? + 1);
            insert.execute(rusqlite::params![org, kind, topic, title, body, at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| {
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.99))
}

fn raw_round(index: &Index, rounds: usize) -> Result<Vec<Duration>, BoxError> {
    let viewer = Viewer::Anyone;
    let mut out = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let q = Query {
            text: QUERIES[i % QUERIES.len()],
            kinds: &[],
            viewer: &viewer,
            now: chrono::Utc::now(),
            mode: Mode::All,
            offset: 0,
            limit: 10,
        };
        let t = Instant::now();
        let (_, ids) = index.raw_ids(&q)?;
        out.push(t.elapsed());
        std::hint::black_box(ids);
    }
    Ok(out)
}

async fn api_round(base: &str, rounds: usize) -> Result<Vec<Duration>, BoxError> {
    let http = reqwest::Client::new();
    let mut out = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let url = format!(
            "{base}/api/v1/search?q={}",
            encode(QUERIES[i % QUERIES.len()])
        );
        let t = Instant::now();
        let r = http.get(&url).send().await?;
        if !r.status().is_success() {
            return Err(format!("{url}: {}", r.status()).into());
        }
        let body = r.bytes().await?;
        out.push(t.elapsed());
        std::hint::black_box(body);
    }
    Ok(out)
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

pub async fn run(docs: u64, rounds: usize, dir: &Path, binary: &str) -> Result<(), BoxError> {
    let data = dir.join("search");
    let _ = std::fs::remove_dir_all(&data);
    let ok = Command::new(binary)
        .args(["demo", "--members", "200", "--data-dir"])
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !ok.success() {
        return Err("zhijia demo failed".into());
    }
    let t = Instant::now();
    write_documents(&data.join("zhijia.db"), docs)?;
    println!(
        "wrote {docs} documents in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let ok = Command::new(binary)
        .args(["reindex", "--data-dir"])
        .arg(&data)
        .status()?;
    if !ok.success() {
        return Err("zhijia reindex failed".into());
    }
    println!(
        "zhijia reindex of {docs} documents: {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let index = Index::open_or_create(&data.join("search"))?;
    println!("index holds {} documents", index.len());
    raw_round(&index, rounds / 5)?; // warm the page cache
    let raw1 = percentiles(raw_round(&index, rounds)?);
    drop(index);

    let mut server = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:18090", "--data-dir"])
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let base = "http://127.0.0.1:18090";
    let mut up = false;
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let api = if up {
        api_round(base, rounds / 5).await?;
        Some(percentiles(api_round(base, rounds).await?))
    } else {
        None
    };
    let _ = server.kill();
    let _ = server.wait();
    let index = Index::open_or_create(&data.join("search"))?;
    let raw2 = percentiles(raw_round(&index, rounds)?);
    let api = api.ok_or("zhijia serve did not answer")?;
    println!(
        "{rounds} queries each, one at a time, 20 two-word queries in turn, 10 results a page"
    );
    println!("{:<34} {:>9} {:>9}", "", "p50 ms", "p99 ms");
    println!(
        "{:<34} {:>9.3} {:>9.3}",
        "raw tantivy query (before)", raw1.0, raw1.1
    );
    println!(
        "{:<34} {:>9.3} {:>9.3}",
        "GET /api/v1/search (HTTP)", api.0, api.1
    );
    println!(
        "{:<34} {:>9.3} {:>9.3}",
        "raw tantivy query (after)", raw2.0, raw2.1
    );
    let raw = (raw1.0 + raw2.0) / 2.0;
    println!("API p50 / raw p50: {:.2}x", api.0 / raw);
    Ok(())
}
