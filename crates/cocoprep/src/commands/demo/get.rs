pub fn get(_c: &super::DemoContext, _r: &mut super::DemoReport) -> anyhow::Result<String> { Ok(String::new()) }
