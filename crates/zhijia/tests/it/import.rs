//! Roster import: a file mixing valid rows and every kind of bad row imports exactly the valid
//! ones, reports each bad one (row, column, reason), and adds nothing when imported again.

use crate::helpers::{TestDb, actor, guangzhou, keys};
use crate::membership::{employer_code, id_number};
use crate::on_both;
use chrono::Utc;
use zhijia_app::membership::import::{self, ImportReport};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::org::Org;

const HEADER: &str =
    "姓名,身份证号,手机号,民族,学历,政治面貌,工作单位,统一社会信用代码,新就业形态职业,入会日期";

fn roster() -> (String, Vec<(u64, &'static str)>) {
    let code = employer_code("440106", 7);
    let good = |n: u32| {
        id_number(
            "440106",
            (1980 + (n % 20) as i32, 1 + n % 12, 1 + n % 28),
            (n * 2 + 1) as u16,
        )
    };
    let mut lines = vec![HEADER.to_owned()];
    for n in 0..20u32 {
        lines.push(format!(
            "职工{},{},139{:08},汉族,大专,群众,广州天河电子厂,{code},,2020-01-0{}",
            ["甲", "乙", "丙", "丁"][n as usize % 4],
            good(n),
            n,
            1 + n % 9
        ));
    }
    let wrong_check = {
        let g = good(50);
        format!("{}{}", &g[..17], if g.ends_with('1') { "2" } else { "1" })
    };
    let with_check = |first17: &str| {
        format!(
            "{first17}{}",
            zhijia_domain::id_number::check_char(first17.as_bytes()).unwrap()
        )
    };
    let young = id_number("440106", (2015, 1, 1), 3);
    // (row as the spreadsheet numbers it, column at fault); rows 2..=21 are the valid ones.
    let bad = vec![
        (22, "姓名", format!(",{},13700000001,,,,,,,", good(60))),
        (
            23,
            "身份证号",
            format!("张错一,{wrong_check},13700000002,,,,,,,"),
        ),
        (
            24,
            "身份证号",
            format!(
                "张错二,{},13700000003,,,,,,,",
                with_check("44010619900230123")
            ),
        ),
        (
            25,
            "身份证号",
            format!(
                "张错三,{},13700000004,,,,,,,",
                with_check("99010619900101123")
            ),
        ),
        (26, "手机号", format!("张错四,{},1370000,,,,,,,", good(61))),
        (
            27,
            "身份证号",
            format!("张错五,{},13700000006,,,,,,,", good(0)),
        ),
        (
            28,
            "手机号",
            format!("张错六,{},13900000001,,,,,,,", good(62)),
        ),
        (
            29,
            "民族",
            format!("张错七,{},13700000008,火星族,,,,,,", good(63)),
        ),
        (
            30,
            "入会日期",
            format!("张错八,{},13700000009,,,,,,,2999-01-01", good(64)),
        ),
        (
            31,
            "统一社会信用代码",
            format!(
                "张错九,{},13700000010,,,,某公司,91440106MA0000001X,,",
                good(65)
            ),
        ),
        (32, "身份证号", format!("张错十,{young},13700000011,,,,,,,")),
        (
            33,
            "新就业形态职业",
            format!("张十一,{},13700000012,,,,,,宇航员,", good(66)),
        ),
    ];
    let mut expected = Vec::new();
    for (row, col, line) in bad {
        assert_eq!(lines.len() as u64 + 1, row, "row numbers line up");
        lines.push(line);
        expected.push((row, col));
    }
    (lines.join("\n") + "\n", expected)
}

async fn run(db: &Store, keys: &PiiKeys, org: &Org, csv: &str) -> ImportReport {
    let rows = import::csv_rows(std::io::Cursor::new(csv.as_bytes().to_vec()));
    import::import(
        db,
        keys,
        &actor(),
        org,
        rows,
        import::Options::now(Utc::now()),
        &|_| {},
    )
    .await
    .unwrap()
}

on_both!(
    a_roster_with_bad_rows_imports_the_good_ones_and_reports_the_rest,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        let keys = keys();
        let (csv, expected) = roster();
        let report = run(db, &keys, &gz.town, &csv).await;
        assert_eq!(report.rows, 32);
        assert_eq!(report.imported, 20);
        assert_eq!(report.skipped, 0);
        let got: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(got, expected, "{:#?}", report.errors);
        assert!(report.errors.iter().all(|e| !e.reason.is_empty()));
        assert!(
            report.errors[5].reason.contains("第2行"),
            "duplicate points at the first"
        );
        // The members are there, with member numbers and current memberships in the town.
        let roster =
            zhijia_store::membership::roster(db, &gz.town.path, &Default::default(), 100, 0)
                .await
                .unwrap();
        assert_eq!(roster.total, 20);
        assert!(
            roster
                .items
                .iter()
                .all(|r| r.member_no.is_some() && r.status.as_str() == "active")
        );

        // Again: nothing added, every valid row recognised as already there.
        let again = run(db, &keys, &gz.town, &csv).await;
        assert_eq!(again.imported, 0);
        assert_eq!(again.skipped, 20);
        assert_eq!(again.errors.len(), expected.len());
        assert_eq!(zhijia_store::worker::count(db).await.unwrap(), 20);

        // The error report opens in Excel (BOM) and names row, column and reason.
        let report_csv = String::from_utf8(import::error_report_csv(&report.errors)).unwrap();
        assert!(report_csv.starts_with('\u{feff}'));
        assert!(report_csv.contains("23,身份证号,"));
        // The import is audited once per run.
        let audit = zhijia_store::audit::all(db, 50, 0).await.unwrap();
        assert_eq!(
            audit
                .items
                .iter()
                .filter(|e| e.action == "roster.imported")
                .count(),
            2
        );
    }
);

on_both!(
    an_xlsx_roster_is_read_like_a_csv_one,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        let keys = keys();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["姓名", "身份证号", "手机号", "入会日期"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "黄一").unwrap();
        sheet
            .write_string(1, 1, id_number("440106", (1990, 1, 1), 11))
            .unwrap();
        // A phone typed as a number, as people do in Excel.
        sheet.write_number(1, 2, 13812345678.0).unwrap();
        sheet.write_string(1, 3, "2021-03-04").unwrap();
        sheet.write_string(2, 0, "黄二").unwrap();
        sheet.write_string(2, 1, "not an id").unwrap();
        sheet.write_string(2, 2, "13812345679").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let rows = import::xlsx_rows(bytes).unwrap();
        let report = import::import(
            db,
            &keys,
            &actor(),
            &gz.town,
            rows,
            import::Options::now(Utc::now()),
            &|_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.imported, 1, "{report:?}");
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, 3);
        assert_eq!(report.errors[0].column, "身份证号");
        let w = zhijia_store::worker::find_by_phone(db, "13812345678")
            .await
            .unwrap()
            .expect("phone read from a number cell");
        let history = zhijia_store::membership::history(db, w.id).await.unwrap();
        assert_eq!(history[0].joined_on.to_string(), "2021-03-04");
    }
);

on_both!(
    a_file_without_the_required_columns_is_refused_whole,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        let rows = import::csv_rows(std::io::Cursor::new(
            b"name,phone\nx,13800000000\n".to_vec(),
        ));
        let err = import::import(
            db,
            &keys(),
            &actor(),
            &gz.town,
            rows,
            import::Options::now(Utc::now()),
            &|_| {},
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("身份证号"), "{err}");
        assert_eq!(zhijia_store::worker::count(db).await.unwrap(), 0);
    }
);
