"""Offline data loaders, tested on files the tests write.

The fetcher is tested against a local HTTP server that serves zips the tests
write, so no test uses the network.
"""

import functools
import gzip
import http.server
import os
import threading
import types
import urllib.request
import zipfile

import numpy as np
import pytest

from skrnn.datasets import (
    _ucr_uea,
    fetch_ucr_uea,
    get_data_home,
    load_digits_sequences,
    load_idx,
    load_japanese_vowels,
    load_mnist,
    load_ts,
    make_sequence_classification,
)

HEADER = "#comment\n@problemName toy\n@dimensions 2\n@classLabel true a b\n@data\n"


def write(tmp_path, text, name="toy.ts", compress=False):
    path = tmp_path / name
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_multivariate_unequal_length(tmp_path, compress):
    text = HEADER + "1,2,3:4,5,6:a\n\n  7,8:9,10:b  \n"
    X, y = load_ts(write(tmp_path, text, compress=compress))
    assert [x.shape for x in X] == [(3, 2), (2, 2)]
    np.testing.assert_array_equal(X[0][:, 1], [4, 5, 6])
    assert list(y) == ["a", "b"]


def test_question_mark_is_nan_and_univariate_without_labels(tmp_path):
    text = "@univariate true\n@missing true\n@classLabel false\n@data\n1,?,3\n"
    X, y = load_ts(write(tmp_path, text))
    assert y is None
    assert np.isnan(X[0][1, 0]) and X[0].shape == (3, 1)


@pytest.mark.parametrize(
    "text, match",
    [
        ("@classLabel true a\n1,2:a\n", "line 2: expected a '@' header line"),
        ("@classLabel true a\n", "no @data line"),
        ("@data\n1,2:a\n", "line 1: @data comes before @classLabel"),
        (HEADER + "1,2:3,4:c\n", "line 6: class label 'c' is not among"),
        (HEADER + "1,2:a\n", "line 6: 1 channel.* @dimensions says 2"),
        (HEADER + "1,x:3,4:a\n", "line 6: channel 0 has 'x'"),
        (HEADER + "1,2:3:a\n", "line 6: .* different lengths"),
        (HEADER, "holds no series"),
        ("@timeStamps true\n", "line 1: time-stamped"),
        ("@dimensions two\n", "line 1: @dimensions must be followed by an integer"),
        ("@targetLabel true\n@data\n1,2:x\n", "line 3: target 'x' is not a number"),
    ],
    ids=[
        "data before @data",
        "no @data",
        "@data before @classLabel",
        "undeclared label",
        "channel count",
        "not a number",
        "channel lengths differ",
        "empty data",
        "time stamps",
        "bad integer",
        "bad regression target",
    ],
)
def test_malformed_files_name_the_line(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_ts(write(tmp_path, text))


def test_regression_targets(tmp_path):
    text = "@univariate true\n@targetLabel true\n@data\n1,2,3:0.5\n4,?:-2\n"
    X, y = load_ts(write(tmp_path, text))
    assert [x.shape for x in X] == [(3, 1), (2, 1)] and np.isnan(X[1][1, 0])
    assert y.dtype == np.float64 and y.tolist() == [0.5, -2.0]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_ts(tmp_path / "absent.ts")


def test_japanese_vowels_splits():
    X_train, y_train = load_japanese_vowels("train")
    X_test, y_test = load_japanese_vowels("test")
    assert len(X_train) == 270 and len(X_test) == 370
    assert {x.shape[1] for x in X_train + X_test} == {12}
    lengths = [len(x) for x in X_train + X_test]
    assert min(lengths) == 7 and max(lengths) == 29
    np.testing.assert_array_equal(np.unique(y_train), np.arange(1, 10))
    X_all, y_all = load_japanese_vowels("all")
    assert len(X_all) == 640 and np.array_equal(y_all[:270], y_train)
    with pytest.raises(ValueError, match="split must be"):
        load_japanese_vowels("validation")


def test_digits_sequences():
    X, y = load_digits_sequences()
    assert X.shape == (1797, 8, 8) and X.min() == 0 and X.max() == 1
    assert set(y) == set(range(10))


def write_idx(path, array, type_code=0x08, compress=False, cut=0):
    header = (
        bytes([0, 0, type_code, array.ndim])
        + np.array(array.shape, dtype=">u4").tobytes()
    )
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    data = data[: len(data) - cut]
    if compress:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / "x.idx", images, compress=compress)
    np.testing.assert_array_equal(load_idx(path), images)
    floats = np.linspace(0, 1, 6).reshape(2, 3)
    path = write_idx(tmp_path / "f.idx", floats, type_code=0x0E)
    np.testing.assert_array_equal(load_idx(path), floats)


def test_idx_errors(tmp_path):
    images = np.zeros((2, 3, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"announces shape \(2, 3, 3\).* truncated"):
        load_idx(write_idx(tmp_path / "cut.idx", images, cut=5))
    (tmp_path / "junk.idx").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        load_idx(tmp_path / "junk.idx")
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "absent.idx")


def test_load_mnist_layout(tmp_path):
    rng = np.random.RandomState(0)
    for stem, n in (("train", 5), ("t10k", 3)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        write_idx(tmp_path / f"{stem}-images-idx3-ubyte.gz", images, compress=True)
        write_idx(tmp_path / f"{stem}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8))
    X, y = load_mnist(tmp_path, "test")
    assert X.shape == (3, 28, 28) and list(y) == [0, 1, 2]
    assert load_mnist(tmp_path)[0].shape == (5, 28, 28)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path, "test")


def test_make_sequence_classification():
    X, y = make_sequence_classification(
        60, n_features=2, n_classes=3, min_length=4, max_length=9, random_state=0
    )
    assert len(X) == 60 and np.bincount(y).tolist() == [20, 20, 20]
    assert {x.shape[1] for x in X} == {2}
    assert {x.dtype for x in X} == {np.dtype(np.float32)}
    assert min(len(x) for x in X) >= 4 and max(len(x) for x in X) <= 9
    again, _ = make_sequence_classification(
        60, n_features=2, n_classes=3, min_length=4, max_length=9, random_state=0
    )
    assert all(np.array_equal(a, b) for a, b in zip(X, again, strict=True))
    tokens, _ = make_sequence_classification(20, vocabulary_size=10, random_state=0)
    assert all(t.ndim == 1 and t.min() >= 1 and t.max() < 10 for t in tokens)
    with pytest.raises(ValueError, match="min_length <= max_length"):
        make_sequence_classification(min_length=5, max_length=2)


# ---------------------------------------------------------------- fetch_ucr_uea

# (series, label) rows of the fake problems; each series is univariate.
TOY_TRAIN = [([1, 2, 3], "up"), ([5, 4], "down"), ([0, 2, 4], "up"), ([9, 8], "down")]
TOY_TEST = [([2, 3], "up"), ([3, 2, 1], "down"), ([4, 5, 6], "up"), ([1, 0], "down")]


def ts_text(name, rows, regression=False):
    header = (
        f"# Fake problem {name} for the fetcher tests.\n@problemName {name}\n"
        "@timeStamps false\n@missing false\n@univariate true\n"
        "@equalLength false\n"
    )
    header += "@targetLabel true\n" if regression else "@classLabel true down up\n"
    lines = [",".join(str(v) for v in series) + f":{label}" for series, label in rows]
    return header + "@data\n" + "\n".join(lines) + "\n"


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


def write_archive(root):
    """Write the zips the fake archive serves; names are problem names."""
    toy = write_zip(
        root / "Toy.zip",
        {
            "Toy/": "",
            "Toy/Toy_TRAIN.ts": ts_text("Toy", TOY_TRAIN),
            "Toy/Toy_TEST.ts": ts_text("Toy", TOY_TEST),
            "Toy/README.txt": "not a .ts file",
            "__MACOSX/Toy/._Toy_TRAIN.ts": "resource fork, to be ignored",
        },
    )
    (root / "Truncated.zip").write_bytes(toy.read_bytes()[: toy.stat().st_size // 2])
    (root / "Broken.zip").write_bytes(np.random.RandomState(0).bytes(2000))
    write_zip(root / "NoTest.zip", {"NoTest_TRAIN.ts": ts_text("NoTest", TOY_TRAIN)})
    write_zip(
        root / "BadTs.zip",
        {"BadTs_TRAIN.ts": ts_text("BadTs", TOY_TRAIN), "BadTs_TEST.ts": "no\n"},
    )
    # Stored (uncompressed), then one digit changed: the CRC check fails.
    corrupt = write_zip(
        root / "Corrupt.zip",
        {f"Corrupt_{p}.ts": ts_text("Corrupt", TOY_TRAIN) for p in ("TRAIN", "TEST")},
        compression=zipfile.ZIP_STORED,
    )
    corrupt.write_bytes(corrupt.read_bytes().replace(b"1,2,3:up", b"1,2,4:up", 1))
    targets = [([1, 2], 0.5), ([3, 4, 5], -1.25)]
    write_zip(
        root / "ToyRegression.zip",
        {
            f"ToyRegression_{p}.ts": ts_text("ToyRegression", targets, True)
            for p in ("TRAIN", "TEST")
        },
    )


@pytest.fixture
def archive(tmp_path_factory, monkeypatch):
    """A local stand-in for timeseriesclassification.com, in a thread."""
    root = tmp_path_factory.mktemp("archive")
    write_archive(root)
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/Error.zip":
                self.send_error(500)
            elif self.path == "/Short.zip":  # the connection drops mid-file
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"PK\x03\x04 and then nothing")
            else:
                super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()

    def stop():
        if thread.is_alive():
            server.shutdown()
            server.server_close()
            thread.join()

    url = f"http://127.0.0.1:{server.server_address[1]}/"
    for variable in ("no_proxy", "NO_PROXY"):  # never send 127.0.0.1 to a proxy
        monkeypatch.setenv(variable, "*")
    monkeypatch.setattr(_ucr_uea, "_UCR_UEA_URL", url)
    yield types.SimpleNamespace(url=url, hits=hits, stop=stop)
    stop()


def assert_toy(data):
    X_train, y_train, X_test, y_test = data
    for X, y, rows in ((X_train, y_train, TOY_TRAIN), (X_test, y_test, TOY_TEST)):
        assert isinstance(X, list) and len(X) == len(rows) == len(y)
        for x, (series, _) in zip(X, rows, strict=True):
            assert x.dtype == np.float32 and x.shape == (len(series), 1)
            np.testing.assert_array_equal(x[:, 0], series)
        assert y.dtype.kind == "U" and y.tolist() == [label for _, label in rows]


def test_fetch_ucr_uea_downloads_then_reads_offline(archive, tmp_path, monkeypatch):
    assert_toy(fetch_ucr_uea("Toy", data_home=tmp_path))
    assert archive.hits == ["/Toy.zip"]
    assert os.listdir(tmp_path / "ucr_uea") == ["Toy"]  # no temporary files left
    assert sorted(os.listdir(tmp_path / "ucr_uea" / "Toy")) == [
        "Toy_TEST.ts",
        "Toy_TRAIN.ts",
    ]

    archive.stop()
    monkeypatch.setattr(_ucr_uea, "_UCR_UEA_URL", "http://127.0.0.1:9/")

    def no_network(*args, **kwargs):
        raise AssertionError("a cached problem must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert_toy(fetch_ucr_uea("Toy", data_home=str(tmp_path)))
    assert_toy(fetch_ucr_uea("Toy", data_home=tmp_path, download_if_missing=False))


def test_fetch_ucr_uea_cache_folder(archive, tmp_path, monkeypatch):
    monkeypatch.setenv("SKRNN_DATA", str(tmp_path / "env"))
    assert get_data_home() == str(tmp_path / "env") and (tmp_path / "env").is_dir()
    fetch_ucr_uea("Toy")
    assert (tmp_path / "env" / "ucr_uea" / "Toy" / "Toy_TRAIN.ts").is_file()
    fetch_ucr_uea("Toy", data_home=tmp_path / "arg")  # the argument wins
    assert (tmp_path / "arg" / "ucr_uea" / "Toy" / "Toy_TEST.ts").is_file()
    assert archive.hits == ["/Toy.zip", "/Toy.zip"]
    assert get_data_home(tmp_path / "new") == str(tmp_path / "new")
    assert (tmp_path / "new").is_dir()

    monkeypatch.delenv("SKRNN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "skrnn_data")
    assert get_data_home("~/data") == str(tmp_path / "home" / "data")


def test_fetch_ucr_uea_completes_an_incomplete_cache(archive, tmp_path):
    folder = tmp_path / "ucr_uea" / "Toy"
    folder.mkdir(parents=True)
    (folder / "Toy_TRAIN.ts").write_text("left over")
    assert_toy(fetch_ucr_uea("Toy", data_home=tmp_path))
    assert archive.hits == ["/Toy.zip"]
    assert os.listdir(tmp_path / "ucr_uea") == ["Toy"]
    assert sorted(os.listdir(folder)) == ["Toy_TEST.ts", "Toy_TRAIN.ts"]


def test_fetch_ucr_uea_regression_targets(archive, tmp_path):
    X_train, y_train, _, y_test = fetch_ucr_uea("ToyRegression", data_home=tmp_path)
    assert [x.shape for x in X_train] == [(2, 1), (3, 1)]
    assert y_train.dtype == np.float64 and y_test.tolist() == [0.5, -1.25]


@pytest.mark.parametrize(
    "name, match",
    [
        ("Missing", r"no problem named 'Missing' .* HTTP 404 .* Check the spelling"),
        ("Broken", r"did not return a valid zip archive \(not a zip file\)"),
        ("Truncated", "did not return a valid zip archive"),
        ("Corrupt", r"did not return a valid zip archive \(Corrupt_TRAIN.ts is"),
        ("NoTest", r"does not hold NoTest_TEST\.ts \(it holds: NoTest_TRAIN\.ts\)"),
        ("BadTs", r"BadTs_TEST\.ts in the archive .* not a readable \.ts file"),
    ],
)
def test_fetch_ucr_uea_bad_download_leaves_no_cache(archive, tmp_path, name, match):
    with pytest.raises(ValueError, match=match) as error:
        fetch_ucr_uea(name, data_home=tmp_path)
    assert f"{archive.url}{name}.zip" in str(error.value)
    assert archive.hits == [f"/{name}.zip"]
    assert list(tmp_path.iterdir()) == []  # no folder, no temporary file


@pytest.mark.parametrize(
    "name, match",
    [("Error", r"\(HTTP 500 "), ("Short", r"\(transfer interrupted"), ("Gone", None)],
)
def test_fetch_ucr_uea_network_errors(archive, tmp_path, name, match):
    if name == "Gone":  # the server has stopped: the connection is refused
        archive.stop()
    with pytest.raises(ConnectionError, match=match) as error:
        fetch_ucr_uea(name, data_home=tmp_path)
    message = str(error.value)
    assert message.startswith(f"Could not download the UCR/UEA problem {name!r}")
    assert f"{archive.url}{name}.zip" in message and "data_home=" in message
    assert str(tmp_path / "ucr_uea" / name) in message
    assert list(tmp_path.iterdir()) == []


def test_fetch_ucr_uea_interrupted_leaves_no_cache(archive, tmp_path, monkeypatch):
    def interrupt(path):  # Ctrl-C once both files are extracted
        raise KeyboardInterrupt

    monkeypatch.setattr(_ucr_uea, "load_ts", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch_ucr_uea("Toy", data_home=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["", "../Toy", "Toy.zip", "Toy/", "a b", "Tøy", "Toy\n", 3, None, b"Toy"]
)
def test_fetch_ucr_uea_invalid_name(tmp_path, name):
    with pytest.raises(ValueError, match="name must be .* letters, digits") as error:
        fetch_ucr_uea(name, data_home=tmp_path / "data")
    assert str(error.value).endswith(f"got {name!r}")
    assert list(tmp_path.iterdir()) == []


def test_fetch_ucr_uea_download_if_missing_false(archive, tmp_path):
    with pytest.raises(OSError, match="not in the cache .* download_if_missing=False"):
        fetch_ucr_uea("Toy", data_home=tmp_path, download_if_missing=False)
    assert archive.hits == []
    assert not (tmp_path / "ucr_uea").exists()
