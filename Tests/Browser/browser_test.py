#!/usr/bin/env python3
"""Drives the events console (web/) in headless Chromium, as a person would.

    python3 Tests/Browser/browser_test.py --url http://127.0.0.1:PORT/ \
        --user ada@example.com --password '…' --screenshots /tmp/shots [--timeout 90]

Steps, each printed on one line and saved as a screenshot in --screenshots:
  01-loaded.png            the page loads its config.json and shows the sign-in form
  02-wrong-password.png    a wrong password shows a message in #signin-error
  03-signed-in.png         the right one shows who is signed in (#signed-in-as)
  04-published.png         publishing the default event adds its card to #events
  05-processed-stored.png  the card's published, processed and stored stages reach data-state="done"
The browser's console log is written to --screenshots/console.log. Exit status 0 when every
step passed, 1 otherwise (with the page's text and the console log on stderr).

Needs selenium (requirements-dev.txt) and Debian's chromium and chromium-driver
(scripts/install-deps.sh): Selenium is pointed at them, so it downloads nothing.
"""
import argparse
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WINDOW = (1280, 1000)
STAGES_THAT_MUST_FINISH = ("published", "processed", "stored")


class StepFailed(Exception):
    pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="where web/ is served, e.g. http://127.0.0.1:8080/")
    ap.add_argument("--user", required=True, help="a Cognito user's e-mail or user name")
    ap.add_argument("--password", required=True, help="that user's password")
    ap.add_argument("--screenshots", required=True, help="directory for the PNGs and console.log")
    ap.add_argument("--timeout", type=float, default=90, help="seconds to wait for each step (default 90)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return ap.parse_args(argv)


def make_driver(args):
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=args.chromedriver)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(*WINDOW)
    driver.set_page_load_timeout(args.timeout)
    return driver


class Run:
    def __init__(self, driver, args):
        self.driver = driver
        self.args = args
        self.console = []  # every browser log entry seen, in order
        self.step_number = 0

    # -------------------------------------------------------------- utilities

    def drain_console(self):
        try:
            self.console.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass

    def write_console(self):
        self.drain_console()
        path = os.path.join(self.args.screenshots, "console.log")
        with open(path, "w", encoding="utf-8") as f:
            for entry in self.console:
                stamp = time.strftime("%H:%M:%S", time.localtime(entry.get("timestamp", 0) / 1000))
                f.write(f"{stamp} {entry.get('level', '?')} {entry.get('message', '')}\n")
        return path

    def screenshot(self, name):
        path = os.path.join(self.args.screenshots, name)
        if not self.driver.save_screenshot(path):
            raise StepFailed(f"could not save the screenshot {path}")
        return path

    def find(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def wait(self, what, condition, timeout=None):
        """Waits for condition(driver) to be truthy, failing with `what` on timeout."""
        timeout = self.args.timeout if timeout is None else timeout
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.25).until(condition)
        except TimeoutException:
            raise StepFailed(f"timed out after {timeout:g} s waiting for {what}") from None

    def visible_text(self, element_id):
        try:
            element = self.find(element_id)
            return element.text.strip() if element.is_displayed() else ""
        except WebDriverException:
            return ""

    def config_error(self):
        return self.visible_text("config-error")

    def step(self, title, screenshot, detail=""):
        self.step_number += 1
        path = self.screenshot(screenshot)
        print(f"ok {self.step_number} - {title}{': ' + detail if detail else ''} ({path})", flush=True)
        self.drain_console()

    def type_into(self, element_id, text):
        element = self.find(element_id)
        element.clear()
        element.send_keys(text)

    # -------------------------------------------------------------- steps

    def load(self):
        self.driver.get(self.args.url)

        def ready(d):
            if self.config_error():
                return "config-error"
            return self.find("signin-form").is_displayed() or self.find("publish-form").is_displayed()

        state = self.wait("the page to load config.json and show the sign-in form", ready, min(self.args.timeout, 30))
        if state == "config-error":
            raise StepFailed(f"the page shows a configuration error: {self.config_error()}")
        if self.find("publish-form").is_displayed():  # a session left in this browser: start over
            self.find("signout").click()
        self.wait("the sign-in form", lambda d: self.find("signin-form").is_displayed())
        self.step("loaded", "01-loaded.png", self.driver.title)

    def sign_in_wrong(self):
        self.type_into("username", self.args.user)
        self.type_into("password", "wrong-" + self.args.password)
        self.find("password").send_keys(Keys.ENTER)  # the keyboard way
        message = self.wait("a message in #signin-error after a wrong password",
                            lambda d: self.visible_text("signin-error"))
        if self.find("publish-form").is_displayed():
            raise StepFailed("a wrong password signed in")
        # Cognito's own answer, not a network or configuration failure.
        if "incorrect username or password" not in message.lower():
            raise StepFailed(f"a wrong password showed {message!r}, not Cognito's refusal")
        self.step("wrong password refused", "02-wrong-password.png", repr(message))

    def sign_in(self):
        self.type_into("username", self.args.user)
        self.type_into("password", self.args.password)
        self.find("signin-submit").click()

        def outcome(d):
            if self.visible_text("signed-in-as"):
                return "ok"
            error = self.visible_text("signin-error")
            # The wrong-password message is cleared on submit; a message now is this attempt's.
            if error and not self.find("signin-submit").get_attribute("disabled"):
                return "error"
            return False

        if self.wait("#signed-in-as after signing in", outcome) == "error":
            raise StepFailed(f"signing in failed: {self.visible_text('signin-error')}")
        who = self.visible_text("signed-in-as")
        if not self.find("publish-form").is_displayed():
            raise StepFailed("signed in, but the publish form is not shown")
        self.step("signed in", "03-signed-in.png", f"as {who}")

    def publish(self):
        before = {e.get_attribute("data-event-id")
                  for e in self.driver.find_elements(By.CSS_SELECTOR, "#events [data-event-id]")}
        self.find("publish-submit").click()

        def outcome(d):
            error = self.visible_text("publish-error")
            if error:
                return ("error", error)
            for card in d.find_elements(By.CSS_SELECTOR, "#events [data-event-id]"):
                event_id = card.get_attribute("data-event-id")
                if event_id not in before:
                    return ("ok", event_id)
            return False

        kind, value = self.wait("the published event's card in #events (or #publish-error)", outcome)
        if kind == "error":
            raise StepFailed(f"publishing failed: {value}")
        self.event_id = value
        self.step("published", "04-published.png", f"event {value}")

    def stage_states(self):
        card = self.driver.find_element(By.CSS_SELECTOR, f'#events [data-event-id="{self.event_id}"]')
        states = {}
        for node in card.find_elements(By.CSS_SELECTOR, "[data-stage]"):
            states[node.get_attribute("data-stage")] = node.get_attribute("data-state")
        return card, states

    def processed_and_stored(self):
        def finished(d):
            card, states = self.stage_states()
            if all(states.get(s) == "done" for s in STAGES_THAT_MUST_FINISH):
                return states
            if card.get_attribute("data-tracking") in ("gave-up", "stopped"):
                raise StepFailed(f"the page stopped following the event ({card.text.strip()!r}); stages {states}")
            return False

        try:
            states = self.wait(f"stages {', '.join(STAGES_THAT_MUST_FINISH)} of event {self.event_id} to be done",
                               finished)
        except StepFailed as failure:
            _, states = self.stage_states()
            raise StepFailed(f"{failure}; stages now {json.dumps(states)}") from None
        card, _ = self.stage_states()
        stored = card.find_element(By.CSS_SELECTOR, '[data-stage="stored"]').text.replace("\n", " ")
        self.step("processed and stored", "05-processed-stored.png",
                  ", ".join(f"{k}={v}" for k, v in states.items()) + f" ({stored})")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.screenshots, exist_ok=True)
    try:
        driver = make_driver(args)
    except WebDriverException as error:
        print(f"FAIL: could not start {args.chromium} through {args.chromedriver}: {error.msg or error}",
              file=sys.stderr)
        return 1
    run = Run(driver, args)
    try:
        run.load()
        run.sign_in_wrong()
        run.sign_in()
        run.publish()
        run.processed_and_stored()
    except (StepFailed, WebDriverException) as failure:
        message = str(failure) if isinstance(failure, StepFailed) else f"WebDriver: {failure.msg or failure}"
        print(f"not ok {run.step_number + 1} - {message}", flush=True)
        try:
            run.screenshot("99-failure.png")
            page = driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            page = "(could not read the page)"
        run.drain_console()
        print("---- page text ----", file=sys.stderr)
        print(page, file=sys.stderr)
        print("---- browser console ----", file=sys.stderr)
        for entry in run.console:
            print(f"{entry.get('level', '?')} {entry.get('message', '')}", file=sys.stderr)
        print(f"FAIL: {message}", file=sys.stderr)
        return 1
    finally:
        try:
            run.write_console()
        except (OSError, WebDriverException):
            pass
        driver.quit()
    print(f"PASS: {run.step_number} steps; screenshots and console.log in {args.screenshots}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
