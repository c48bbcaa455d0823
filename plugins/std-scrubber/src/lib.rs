//! probe
use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::scrubber::lethe::plugin::types::{Span, Subject, Category};
struct S;
impl Guest for S {
    fn scan(texts: Vec<String>, _subject: Option<Subject>) -> Result<Vec<Vec<Span>>, String> {
        let mut m = std::collections::HashMap::new();
        m.insert(1, 2);
        if texts.is_empty() { panic!("boom {}", m.len()); }
        Ok(texts.iter().map(|t| vec![Span{start:0,end:t.len() as u32,category:Category::Email,score:1.0}]).collect())
    }
}
lethe_plugin_sdk::scrubber::export_scrubber!(S);
