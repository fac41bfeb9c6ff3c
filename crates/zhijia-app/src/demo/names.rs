//! Word lists for synthetic but plausible people and employers.

use rand::Rng;
use rand::seq::IndexedRandom;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "欧阳", "司马",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国",
    "志", "文", "海", "东", "振", "锋", "峰", "亮", "成", "家", "永", "子", "博", "晨", "睿", "轩",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "丹", "萍", "红", "慧", "婷",
    "雪", "琳", "晶", "颖", "倩", "洁", "佳", "欣", "梅", "莉", "秀", "英", "华", "兰", "凤", "月",
    "思", "雨", "诗", "梦", "怡", "悦", "彤", "璐", "晓", "嘉", "淑", "珊", "宁", "玉", "春", "琪",
];
const BRAND: &[&str] = &[
    "华", "盛", "达", "信", "通", "宏", "兴", "昌", "恒", "泰", "鸿", "瑞", "丰", "嘉", "诚", "德",
    "源", "康", "新", "联", "创", "力", "邦", "远", "明", "腾", "越", "立", "安", "顺", "和", "祥",
];

/// (GB/T 4754 section, trade words, share of employers).
pub const TRADES: &[(&str, &[&str])] = &[
    (
        "C",
        &[
            "电子科技",
            "机械制造",
            "服装",
            "家具",
            "五金制品",
            "塑胶制品",
            "食品",
            "汽车零部件",
        ],
    ),
    ("E", &["建筑工程", "建设集团", "装饰工程"]),
    ("F", &["商贸", "超市", "医药连锁"]),
    ("G", &["物流", "运输", "供应链"]),
    ("H", &["餐饮管理", "酒店管理"]),
    ("I", &["网络科技", "软件", "信息技术"]),
    ("K", &["物业管理", "房地产开发"]),
    ("L", &["人力资源", "商务服务"]),
    ("O", &["家政服务", "保洁服务"]),
    ("Q", &["医院", "养老服务"]),
];

pub fn person(rng: &mut impl Rng, male: bool) -> String {
    let surname = SURNAMES.choose(rng).copied().unwrap_or("王");
    let pool = if male { MALE } else { FEMALE };
    let mut name = String::with_capacity(12);
    name.push_str(surname);
    let given = if rng.random_bool(0.7) { 2 } else { 1 };
    for _ in 0..given {
        name.push_str(pool.choose(rng).copied().unwrap_or("明"));
    }
    name
}

/// An employer name such as 广州鸿达电子科技有限公司, and its GB/T 4754 section.
pub fn employer(rng: &mut impl Rng, city_short: &str) -> (String, &'static str) {
    let (section, words) = TRADES.choose(rng).copied().unwrap_or(TRADES[0]);
    let a = BRAND.choose(rng).copied().unwrap_or("华");
    let b = BRAND.choose(rng).copied().unwrap_or("达");
    let word = words.choose(rng).copied().unwrap_or("商贸");
    let suffix = if word.ends_with("医院") || word.ends_with("集团") {
        ""
    } else {
        "有限公司"
    };
    (format!("{city_short}{a}{b}{word}{suffix}"), section)
}
