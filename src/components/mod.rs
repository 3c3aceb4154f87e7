//! One component per file, re-exported here.

mod announcer;
mod compare_panel;
mod controls;
mod diagram;
mod dlq_list;
mod event_log;
mod footer;
mod header;
mod inspector;
mod lesson_panel;
mod link_notice;
mod metrics_panel;
mod platform_lens;
mod region;
mod share_link;
mod stream_view;
mod time_travel;
mod token;

pub use announcer::{PacedAnnouncement, PacedAnnouncementProps};
pub use compare_panel::{ComparePanel, ComparePanelProps};
pub use controls::{Controls, ControlsProps};
pub use diagram::{Diagram, DiagramProps, TOKEN_CAP};
pub use dlq_list::{DlqList, DlqListProps};
pub use event_log::{EventLog, EventLogProps};
pub use footer::Footer;
pub use header::Header;
pub use inspector::{Inspected, Inspector, InspectorProps};
pub use lesson_panel::{LessonPanel, LessonPanelProps};
pub use link_notice::{LinkNotice, LinkNoticeProps};
pub use metrics_panel::{MetricsPanel, MetricsPanelProps};
pub use platform_lens::{PlatformLens, PlatformLensProps};
pub use region::{Region, RegionProps};
pub use share_link::{ShareLink, ShareLinkProps};
pub use stream_view::{StreamView, StreamViewProps};
pub use time_travel::{TimeTravel, TimeTravelProps};
pub use token::{MessageToken, MessageTokenProps};
