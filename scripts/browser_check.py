#!/usr/bin/env python3
"""Drives Debian's headless Chromium (chromium-driver, selenium) through an `inspect --html`
report and a running `cocoprep view`, as the test `look_cli::browser_*` asks.

usage: browser_check.py REPORT.html VIEWER_URL ARTIFACT_DIR

Checks that both pages load without console errors, that the report's charts and
thumbnails render, that the viewer's filters change what the grid shows and that the full
view toggles its overlays. Saves screenshots in ARTIFACT_DIR. Prints one JSON object of
what it measured; exits 1 with the failures listed when a check fails.
"""

import json
import os
import pathlib
import sys
import time

# The driver and browser are Debian's; selenium must not try to download its own.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

report, url, artifacts = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
artifacts.mkdir(parents=True, exist_ok=True)
failures = []
measured = {}


def check(condition, message):
    if not condition:
        failures.append(message)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1000", "--disable-extensions"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(90)
# Generous: the suite runs this next to ~80 other tests on a busy machine.
wait = WebDriverWait(driver, 60)


def console_errors(page):
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    check(not errors, f"{page}: console errors: {errors}")
    return errors


def cards():
    return driver.find_elements(By.CSS_SELECTOR, "#grid .card")


def loads():
    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-loads") or 0)


def wait_for_page(previous_loads):
    wait.until(lambda d: loads() > previous_loads)


try:
    # The report: opens from disk, draws its charts, every thumbnail decodes.
    driver.get(pathlib.Path(report).resolve().as_uri())
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    thumbnails = driver.find_elements(By.CSS_SELECTOR, ".grid img")
    decoded = driver.execute_script(
        "return [...document.querySelectorAll('.grid img')].filter(i => i.complete && i.naturalWidth > 0).length")
    external = driver.execute_script(
        "return [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(v => !v.startsWith('data:') && !v.startsWith('#'))")
    measured["report"] = {"charts": len(charts), "thumbnails": len(thumbnails), "decoded": decoded,
                          "external_resources": external}
    check(len(charts) >= 4, f"report: {len(charts)} charts")
    check(len(thumbnails) > 0 and decoded == len(thumbnails), f"report: {decoded}/{len(thumbnails)} thumbnails decoded")
    check(not external, f"report: external resources {external}")
    driver.save_screenshot(str(artifacts / "report.png"))
    console_errors("report")

    # The viewer: the first page, then filters.
    started = time.monotonic()
    driver.get(url)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "page-0")
    measured["viewer_first_page_s"] = round(time.monotonic() - started, 3)
    wait.until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#grid img')].every(i => i.complete && i.naturalWidth > 0)"))
    all_cards = len(cards())
    driver.save_screenshot(str(artifacts / "viewer-grid.png"))

    status = loads()
    Select(driver.find_element(By.ID, "category")).select_by_value("1")  # person
    wait_for_page(status)
    person_cards = len(cards())
    driver.save_screenshot(str(artifacts / "viewer-person.png"))

    status = loads()
    Select(driver.find_element(By.ID, "category")).select_by_value("")
    Select(driver.find_element(By.ID, "crowd")).select_by_value("yes")
    wait_for_page(status)
    crowd_cards = [card.get_attribute("data-image-id") for card in cards()]

    status = loads()
    driver.find_element(By.ID, "clear-filters").click()
    wait_for_page(status)
    status = loads()
    driver.find_element(By.ID, "min_area").send_keys("20000")
    driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait_for_page(status)
    large_cards = len(cards())
    measured["viewer_cards"] = {"all": all_cards, "person": person_cards, "crowd": crowd_cards,
                                "area_at_least_20000": large_cards}
    check(all_cards > person_cards > 0, f"viewer: category filter shows {person_cards} of {all_cards}")
    check(crowd_cards == ["255165"], f"viewer: crowd filter shows {crowd_cards}")
    check(0 < large_cards < all_cards, f"viewer: area filter shows {large_cards} of {all_cards}")

    # The full view of the crowd image, with its overlays toggled.
    status = loads()
    driver.find_element(By.ID, "clear-filters").click()
    wait_for_page(status)
    status = loads()
    driver.find_element(By.ID, "image_id").send_keys("255165")
    driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait_for_page(status)
    cards()[0].click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-full") == "255165")
    wait.until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#stage img')].every(i => i.complete && i.naturalWidth > 0)"))
    boxes = len(driver.find_elements(By.CSS_SELECTOR, "#layer-boxes-lines rect"))
    driver.save_screenshot(str(artifacts / "viewer-full.png"))
    driver.find_element(By.ID, "show-masks").click()
    driver.find_element(By.ID, "show-boxes").click()
    masks_hidden = driver.execute_script("return getComputedStyle(document.getElementById('layer-masks')).display")
    boxes_hidden = driver.execute_script(
        "return getComputedStyle(document.getElementById('layer-boxes-lines')).display")
    driver.save_screenshot(str(artifacts / "viewer-full-toggled.png"))
    measured["viewer_full"] = {"boxes": boxes, "masks_display": masks_hidden, "boxes_display": boxes_hidden}
    check(boxes > 0, "viewer: full view drew no boxes")
    check(masks_hidden == "none" and boxes_hidden == "none", "viewer: toggles did not hide masks and boxes")
    console_errors("viewer")
finally:
    driver.quit()

measured["failures"] = failures
print(json.dumps(measured))
sys.exit(1 if failures else 0)
