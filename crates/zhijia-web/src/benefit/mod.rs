//! Inclusive benefits on the web: the worker's "普惠" pages (offers, claim, my coupons with
//! their QR), the merchant's redemption page, the union's offer and merchant console, and the
//! same in the JSON API.

pub mod api;
pub mod console;
pub mod console_shops;
pub mod merchant;
pub mod merchant_api;
pub mod pages;
pub mod view;

use zhijia_app::AppError;
use zhijia_domain::benefit::OfferKind;

/// An offer's value in words: "8折", "立减10.00元", "免费领取", "服务券".
pub fn value_label(kind: OfferKind, value: i64) -> String {
    match kind {
        OfferKind::Discount => {
            if value % 10 == 0 {
                format!("{}折", value / 10)
            } else {
                format!("{}.{}折", value / 10, value % 10)
            }
        }
        OfferKind::FixedAmount => format!("立减{}.{:02}元", value / 100, value % 100),
        OfferKind::FreeItem => "免费领取".into(),
        OfferKind::ServiceVoucher => "服务券".into(),
    }
}

/// A merchant's monthly settlement as a workbook: one line per redeemed coupon, then the count.
pub fn settlement_xlsx(s: &zhijia_app::benefit::Settlement) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| AppError::Config(format!("生成表格失败：{e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("核销结算").map_err(failed)?;
    let title = format!(
        "{} {} 核销结算，共 {} 张",
        s.merchant_name, s.month, s.redeemed
    );
    sheet
        .write_with_format(0, 0, title.as_str(), &bold)
        .map_err(failed)?;
    for (c, h) in [
        "券号",
        "券码",
        "优惠",
        "会员",
        "会员号",
        "核销时间(北京时间)",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_with_format(1, c as u16, *h, &bold)
            .map_err(failed)?;
    }
    for (i, l) in s.lines.iter().enumerate() {
        let row = i as u32 + 2;
        let at = l
            .redeemed_at
            .map(|t| crate::filters::beijing_fmt(&t, "%Y-%m-%d %H:%M"))
            .unwrap_or_default();
        let cells = [
            l.coupon_id.to_string(),
            l.code.clone(),
            l.offer_title.clone(),
            l.member_name.clone(),
            l.member_no.clone().unwrap_or_default(),
            at,
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v).map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}
