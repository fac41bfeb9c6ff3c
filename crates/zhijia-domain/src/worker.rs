//! Workers: the people the platform serves, members or not.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// GB/T 2261.1 code: 1 male, 2 female.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
        }
    }

    pub fn from_code(c: &str) -> Option<Self> {
        match c {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// Occupations of workers in new forms of employment (新就业形态劳动者).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GigOccupation {
    Courier,
    FoodDelivery,
    RideHailing,
    TruckDriver,
    DomesticWorker,
    EstateAgent,
    SecurityGuard,
    CareWorker,
    Other,
}

impl GigOccupation {
    pub const ALL: [GigOccupation; 9] = [
        GigOccupation::Courier,
        GigOccupation::FoodDelivery,
        GigOccupation::RideHailing,
        GigOccupation::TruckDriver,
        GigOccupation::DomesticWorker,
        GigOccupation::EstateAgent,
        GigOccupation::SecurityGuard,
        GigOccupation::CareWorker,
        GigOccupation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GigOccupation::Courier => "courier",
            GigOccupation::FoodDelivery => "food_delivery",
            GigOccupation::RideHailing => "ride_hailing",
            GigOccupation::TruckDriver => "truck_driver",
            GigOccupation::DomesticWorker => "domestic_worker",
            GigOccupation::EstateAgent => "estate_agent",
            GigOccupation::SecurityGuard => "security_guard",
            GigOccupation::CareWorker => "care_worker",
            GigOccupation::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GigOccupation::Courier => "快递员",
            GigOccupation::FoodDelivery => "外卖配送员",
            GigOccupation::RideHailing => "网约车司机",
            GigOccupation::TruckDriver => "货车司机",
            GigOccupation::DomesticWorker => "家政服务员",
            GigOccupation::EstateAgent => "房产经纪人",
            GigOccupation::SecurityGuard => "保安员",
            GigOccupation::CareWorker => "护理员",
            GigOccupation::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}
