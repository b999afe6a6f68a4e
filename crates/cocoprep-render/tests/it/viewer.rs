//! The viewer's HTTP server on a real socket: what it answers to requests a browser never
//! sends (other methods, bodies, huge heads, `..`), keep-alive, and the JSON it serves.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use cocoprep_coco::{Coco, Dataset};
use cocoprep_render::viewer::{Viewer, bind, serve};

fn start() -> String {
    let json = br#"{"images": [{"id": 1, "width": 40, "height": 30, "file_name": "a.jpg"},
                                {"id": 2, "width": 40, "height": 30, "file_name": "b.jpg"}],
      "annotations": [{"id": 7, "image_id": 1, "category_id": 2, "bbox": [5, 5, 20, 10],
                       "area": 200.0, "iscrowd": 0, "segmentation": [[5, 5, 25, 5, 25, 15]]},
                      {"id": 8, "image_id": 2, "category_id": 2, "bbox": [0, 0, 4, 4],
                       "area": 16.0, "iscrowd": 1,
                       "segmentation": {"size": [30, 40], "counts": [0, 4, 26, 4, 26, 4, 26, 4, 1106]}}],
      "categories": [{"id": 2, "name": "dog"}]}"#;
    let coco = Coco::new(Dataset::from_json_slice(json).unwrap());
    let listener = bind("127.0.0.1", 0).unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || serve(listener, Viewer::new(coco, None, "test".to_owned())));
    address
}

fn exchange(address: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

fn status(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("")
}

#[test]
fn requests_a_read_only_viewer_must_not_serve_are_refused() {
    let address = start();
    let post = exchange(
        &address,
        b"POST /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(status(&post), "405");
    let huge = format!("GET / HTTP/1.1\r\nX-Filler: {}\r\n\r\n", "a".repeat(20_000));
    assert_eq!(status(&exchange(&address, huge.as_bytes())), "413");
    let climb = exchange(
        &address,
        b"GET /thumb/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&climb), "403");
    let junk = exchange(&address, b"HELLO\r\n\r\n");
    assert_eq!(status(&junk), "400");
    let bad_filter = exchange(
        &address,
        b"GET /api/images?min_area=big HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&bad_filter), "400");
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection_and_filters_apply() {
    let address = start();
    let responses = exchange(
        &address,
        b"GET /api/images?crowd=yes HTTP/1.1\r\nHost: x\r\n\r\nHEAD /thumb/1.jpg HTTP/1.1\r\nHost: x\r\n\r\nGET /api/image/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        responses.matches("HTTP/1.1 200 OK").count(),
        3,
        "{responses}"
    );
    assert!(responses.contains(r#""total":1"#), "{responses}");
    assert!(responses.contains(r#""id":2"#), "{responses}");
    assert!(responses.contains(r#""rle":true"#), "{responses}");
    let masks = exchange(
        &address,
        b"GET /mask/2.png HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&masks), "200");
    assert!(masks.contains("image/png"));
}
