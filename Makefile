# policywatch: `make demo` runs the whole pipeline on the bundled offline mirror;
# `make test` runs the test suite. Both create the virtualenv and install the
# pinned dependencies (constraints.txt) first; nothing needs installing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench venv system-test-deps clean

# Programs the tests drive for real: a feed reader, a headless browser and the Redis server of the distributed
# mode (Debian packages; the tests start their own redis-server on a free loopback port), and a Chinese font
# for the browser, which draws Chinese text as empty boxes without one (fonts-wqy-microhei: 1.6 MB).
SYSTEM_TEST_PROGRAMS := newsboat chromium chromedriver redis-server
SYSTEM_TEST_FONT     := fonts-wqy-microhei
SYSTEM_TEST_PACKAGES := newsboat chromium chromium-driver redis-server $(SYSTEM_TEST_FONT)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/policywatch demo

system-test-deps:
	@missing=""; for p in $(SYSTEM_TEST_PROGRAMS); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	fc-list :lang=zh family 2>/dev/null | grep -q . || missing="$$missing $(SYSTEM_TEST_FONT)"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (Debian: $(SYSTEM_TEST_PACKAGES))"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get -o Acquire::Retries=5 update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get -o Acquire::Retries=5 install -y -qq $(SYSTEM_TEST_PACKAGES) >/dev/null; \
	fi

test: $(STAMP) system-test-deps
	CI=$${CI:-true} $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) var
