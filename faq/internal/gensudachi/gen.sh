#!/bin/sh
# Regenerates faq/content/synonyms-sudachi.yaml from the npm package sudachi-synonyms-dictionary
# (Apache-2.0), and the package's licence as faq/content/LICENSE-sudachi-synonyms.
# Run from anywhere in the repository; needs npm and go. VERSION=x.y.z picks a version
# (default: the latest).
set -eu
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "sudachi-synonyms-dictionary@${VERSION:-latest}" >/dev/null
tar xzf sudachi-synonyms-dictionary-*.tgz
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' package/package.json)
cp package/LICENSE "$root/faq/content/LICENSE-sudachi-synonyms"
cd "$root"
go run ./faq/internal/gensudachi -src "$tmp/package/sudachi-synonyms-dictionary.json" -version "$version"
