#!/bin/sh
# Builds the image's application folder from a checkout whose dist/ is built (npm run build):
# package files, the production dependencies (npm ci --omit=dev), the built code dist/src, the
# bundled command line dist/bin (the entry point) and
# the example stack examples/stack.yaml (`smartcache up` without -f reads it beside dist/).
# onnxruntime-node ships prebuilt libraries for every platform; the image runs on Linux, so the
# Windows and macOS ones (220 MB) are left out.
# The Dockerfile runs it into /app; test/deploy/image-layout.test.ts runs it into a temp folder
# and smoke-tests the result, so both get the same layout.
#   usage: build-layout.sh CHECKOUT DEST
set -eu
checkout=$1
dest=$2
if [ ! -f "$checkout/dist/src/cli/main.js" ] || [ ! -f "$checkout/dist/bin/smartcache.js" ]; then
  echo "build-layout.sh: $checkout/dist/src/cli/main.js or dist/bin/smartcache.js is missing: run npm run build first" >&2
  exit 1
fi
mkdir -p "$dest/dist"
cp "$checkout/package.json" "$checkout/package-lock.json" "$checkout/.npmrc" "$dest/"
cp -R "$checkout/dist/src" "$dest/dist/src"
cp -R "$checkout/dist/bin" "$dest/dist/bin"
mkdir -p "$dest/examples"
cp "$checkout/examples/stack.yaml" "$dest/examples/"
cd "$dest"
npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error
rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32
