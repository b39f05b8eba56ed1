#!/usr/bin/env bash
# Installs the Spark that smartcache's Spark prep and its tests run: the pyspark package from PyPI,
# which ships Spark's jars including the Spark Connect server. Does nothing when that version is
# already importable. Keep the version in step with src/prep/spark/proto (the Connect protocol).
set -euo pipefail

PYSPARK_VERSION=4.0.1
PYTHON="${PYTHON:-python3}"

installed=$("$PYTHON" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || true)
if [[ "$installed" == "$PYSPARK_VERSION" ]]; then
  echo "pyspark $PYSPARK_VERSION already installed"
else
  echo "installing pyspark $PYSPARK_VERSION${installed:+ (replacing $installed)}"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
fi

# Spark 4 runs on Java 17 or 21; say so here rather than in a failed server start.
java_version=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }' || true)
if [[ -z "$java_version" ]]; then
  echo "warning: no java on PATH; Spark $PYSPARK_VERSION needs Java 17 or 21" >&2
elif (( ${java_version%%.*} < 17 )); then
  echo "warning: java $java_version found; Spark $PYSPARK_VERSION needs Java 17 or 21" >&2
fi
