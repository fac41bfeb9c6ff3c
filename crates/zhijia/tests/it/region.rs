//! Region names for pickers: the vendored GB/T 2260 data by name, municipalities by their own name.

use zhijia_app::region::*;

#[test]
fn a_province_lists_its_cities_and_a_city_its_counties_by_name() {
    assert!(
        provinces()
            .iter()
            .any(|p| p.code == "440000" && p.name == "广东省")
    );
    assert!(
        children("440000")
            .iter()
            .any(|c| c.code == "440100" && c.name == "广州市")
    );
    assert!(
        children("440100")
            .iter()
            .any(|c| c.code == "440106" && c.name == "天河区")
    );
    assert_eq!(full_name("440106"), "广东省 广州市 天河区");
    assert_eq!(
        name("110100"),
        Some("北京市"),
        "a municipality is not 市辖区"
    );
    assert_eq!(full_name("110105"), "北京市 朝阳区");
    assert!(children("999999").is_empty());
    assert_eq!(
        path("440106"),
        ["440000".to_owned(), "440100".into(), "440106".into()]
    );
    assert_eq!(path("440100")[2], "");
}
