"""The web demo in a real browser: headless Chromium driven by Selenium.

``tools/webui.py`` is started as a subprocess on 127.0.0.1 with a free port
and the tiny model of ``conftest.py``; a group is uploaded through the page,
an example group is picked, a bad upload is made, and two requests are sent
at once. Nothing leaves localhost: Chromium resolves no other host and the
test checks every request it made. Chromium and ChromeDriver are Debian's
(``tools/misc/install_chromium.sh``, run by ``tools/run_tests.sh``);
without them the browser tests are skipped, saying why.

``MMCOSEG_WEBUI_SCREENSHOT=PATH`` keeps the page's screenshot (``.jpg``:
converted); ``MMCOSEG_WEBUI_CONFIG`` and ``MMCOSEG_WEBUI_CHECKPOINT`` serve
another model and ``MMCOSEG_WEBUI_GROUPS=A,B`` uploads the example groups A
(all four images) and B (its first three) instead of the synthetic crosses
and stars (the README's picture).
"""
import io
import json
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from mmcoseg.apis.webui import list_example_groups

webdriver = pytest.importorskip(
    'selenium.webdriver', reason='selenium is not installed '
    '(requirements/tests.txt)')
pytest.importorskip('gradio', reason='the demo extra is not installed '
                    '(requirements/demo.txt)')
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SERVER_START_S = 180
RESULT_S = 120
# Direct connections only (no proxy from the environment).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def examples(repo_root):
    return list_example_groups(osp.join(repo_root, 'demo', 'examples'))


@pytest.fixture(scope='module')
def server(repo_root, config_file, checkpoint, tmp_path_factory):
    """``tools/webui.py`` on 127.0.0.1:<free port>; stopped afterwards."""
    tmp = tmp_path_factory.mktemp('webui_server')
    config = os.environ.get('MMCOSEG_WEBUI_CONFIG', config_file)
    weights = os.environ.get('MMCOSEG_WEBUI_CHECKPOINT', checkpoint)
    port = _free_port()
    url = f'http://127.0.0.1:{port}/'
    log_path = tmp / 'server.log'
    env = dict(os.environ, GRADIO_TEMP_DIR=str(tmp / 'gradio'),
               PYTHONWARNINGS='ignore')
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            [sys.executable, 'tools/webui.py', config, weights, '--port',
             str(port)], cwd=repo_root, stdout=log, stderr=subprocess.STDOUT,
            env=env)
    deadline = time.monotonic() + SERVER_START_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f'tools/webui.py exited ({proc.returncode}):\n'
                            f'{log_path.read_text()}')
            try:
                _OPENER.open(url, timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f'no page at {url} after {SERVER_START_S} '
                                f's:\n{log_path.read_text()}')
                time.sleep(0.5)
        yield dict(url=url, proc=proc, log=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    """Headless Chromium that can reach 127.0.0.1 only."""
    chromium, driver = shutil.which('chromium'), shutil.which('chromedriver')
    if not (chromium and driver):
        pytest.skip('Debian chromium and chromium-driver are not installed; '
                    'tools/run_tests.sh installs them when run as root with '
                    'apt-get (tools/misc/install_chromium.sh)')
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-quic', '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update', '--disable-sync',
                '--disable-dev-shm-usage', '--no-proxy-server',
                '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
                '--window-size=1400,1500',
                f'--user-data-dir={tmp_path_factory.mktemp("chromium")}'):
        options.add_argument(arg)
    options.set_capability('goog:loggingPrefs', {'performance': 'ALL'})
    # An explicit driver: Selenium Manager (which downloads) never runs.
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    chrome.set_script_timeout(30)
    yield chrome
    chrome.quit()


def _open(browser, server):
    browser.get(server['url'])
    return WebDriverWait(browser, 60).until(lambda b: b.find_element(
        By.CSS_SELECTOR, '#images input[type=file]'))


def _run_and_wait(browser):
    browser.find_element(By.ID, 'run').click()
    WebDriverWait(browser, RESULT_S).until(
        lambda b: b.find_element(By.ID, 'status').text.strip())
    return browser.find_element(By.ID, 'status').text


def _loaded_images(browser, css):
    """The distinct sources of the displayed images under ``css``."""
    return set(browser.execute_script(
        'return Array.from(document.querySelectorAll(arguments[0]))'
        '.filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)',
        f'{css} img'))


def _wait_images(browser, css, count):
    WebDriverWait(browser, 30).until(
        lambda b: len(_loaded_images(b, css)) >= count)
    return _loaded_images(browser, css)


def test_bad_upload_shows_an_error(server, browser, examples, tmp_path):
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'\xff\xd8\xff not a jpeg')
    upload = _open(browser, server)
    upload.send_keys('\n'.join([examples['cross'][0], str(broken)]))
    WebDriverWait(browser, 30).until(
        lambda b: 'broken' in b.find_element(By.ID, 'images').text)
    status = _run_and_wait(browser)
    assert status.startswith('Error:')
    assert 'at least two readable images, got 1' in status
    assert 'broken.jpg: not a readable image' in status
    assert not _loaded_images(browser, '#overlays')
    assert server['proc'].poll() is None


def test_upload_a_group(server, browser, examples, tmp_path):
    first, second = os.environ.get('MMCOSEG_WEBUI_GROUPS',
                                   'cross,star').split(',')
    files = examples[first] + examples[second][:3]
    stems = [osp.splitext(osp.basename(f))[0] for f in files]
    upload = _open(browser, server)
    upload.send_keys('\n'.join(files))
    WebDriverWait(browser, 30).until(
        lambda b: stems[-1] in b.find_element(By.ID, 'images').text)
    status = _run_and_wait(browser)
    # Default group size 5: 7 images make groups of 4 and 3.
    assert len(files) == 7
    assert status.startswith('7 images in 2 group(s)'), status
    overlays = _wait_images(browser, '#overlays', len(files))
    assert len(overlays) == len(files)
    assert len(_wait_images(browser, '#grids', 2)) == 2
    table = browser.find_element(By.ID, 'table').text
    assert all(stem in table for stem in stems)
    assert 'foreground (%)' in table

    href = browser.find_element(By.CSS_SELECTOR,
                                '#download a').get_attribute('href')
    assert urlparse(href).hostname == '127.0.0.1'
    with _OPENER.open(href, timeout=30) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    names = set(archive.namelist())
    for stem, path in zip(stems, files):
        mask = Image.open(io.BytesIO(archive.read(f'masks/{stem}.png')))
        assert mask.size == Image.open(path).size
    assert {'groups/group_0.jpg', 'groups/group_1.jpg'} <= names

    height = browser.execute_script(
        'return document.documentElement.scrollHeight')
    browser.set_window_size(1400, min(int(height) + 40, 3000))
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png()))
    pixels = np.asarray(shot.convert('RGB'))
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    assert pixels.std() > 20  # not blank
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 2000
    target = os.environ.get('MMCOSEG_WEBUI_SCREENSHOT')
    if target:
        rgb = shot.convert('RGB')
        rgb.thumbnail((1100, 3000))
        rgb.save(target, quality=85)
    browser.set_window_size(1400, 1500)
    assert server['proc'].poll() is None


def test_pick_an_example_group(server, browser, examples):
    _open(browser, server)
    browser.find_element(By.CSS_SELECTOR, '#example input').click()
    WebDriverWait(browser, 30).until(lambda b: b.find_element(
        By.CSS_SELECTOR, '#example [role=option][aria-label=ring]')).click()
    last = osp.splitext(osp.basename(examples['ring'][-1]))[0]
    WebDriverWait(browser, 30).until(
        lambda b: last in b.find_element(By.ID, 'images').text)
    status = _run_and_wait(browser)
    count = len(examples['ring'])
    assert status.startswith(f'{count} images in 1 group(s)'), status
    assert len(_wait_images(browser, '#overlays', count)) == count


def test_concurrent_requests_queue_and_finish(server, examples):
    from gradio_client import Client, handle_file
    client = Client(server['url'], verbose=False)
    jobs = [
        client.submit([handle_file(f) for f in examples[name]], 5, 0.5,
                      api_name='/run') for name in ('cross', 'star', 'ring')
    ]
    for name, job in zip(('cross', 'star', 'ring'), jobs):
        status, overlays, _, _, zip_file = job.result(timeout=RESULT_S)
        assert status.startswith(f'{len(examples[name])} images in'), status
        assert len(overlays) == len(examples[name])
        assert zip_file


def test_only_localhost_was_contacted(server, browser):
    hosts = set()
    for entry in browser.get_log('performance'):
        message = json.loads(entry['message'])['message']
        if message['method'] == 'Network.requestWillBeSent':
            url = urlparse(message['params']['request']['url'])
            if url.scheme in ('http', 'https', 'ws', 'wss'):
                hosts.add(url.hostname)
    assert hosts == {'127.0.0.1'}
    log = server['log'].read_text()
    assert 'Running on local URL:  http://127.0.0.1:' in log
