#!/usr/bin/env bash
# Installs the reference oref0 (npm, pinned in package.json) into an ignored folder and
# regenerates the committed vectors under oref-rs/tests/vectors/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm install --no-audit --no-fund --ignore-scripts --silent
node generate.js
