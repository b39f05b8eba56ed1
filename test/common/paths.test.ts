import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePath, filePath, PathError } from '../../src/common/paths.js';

/** The rule of filePath written out step by step, to check its shortcut for canonical paths against. */
function slowFilePath(rawPath: string): string {
  const decoded = decodeURIComponent(rawPath.split('?')[0]);
  if (/[\0\\]/.test(decoded)) throw new PathError(rawPath, 'NUL or backslash');
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) throw new PathError(rawPath, 'dot segments');
  if (segments.length === 0) throw new PathError(rawPath, 'no file named');
  return `/${segments.join('/')}`;
}

const PATHS = [
  '/store/mc/file1.root',
  '/store/mc/file1.root?site=A',
  '/a/.hidden/b',
  '/a/..b/c',
  '/a/b../c',
  '/a/.../c',
  "/a/(x)!*'~/b,c;d=e:f@g&h+i$j",
  '/a//b',
  '//a',
  '/a/',
  '/a%20b',
  '/a%2Fb',
  '/a/%2e%2e/b',
  '/a/%2E/b',
  '/a/../b',
  '/a/./b',
  '/a/.',
  '/..',
  '/',
  '',
  '/a\\b',
  '/a%5Cb',
  '/a%00b',
  '/caf%C3%A9',
  '/a#b',
];

test('filePath answers as its rule says, for canonical paths (the shortcut) and the others', () => {
  for (const path of PATHS) {
    let expected: string | Error;
    try {
      expected = slowFilePath(path);
    } catch (err) {
      expected = err as Error;
    }
    if (expected instanceof Error) assert.throws(() => filePath(path), PathError, path);
    else assert.equal(filePath(path), expected, path);
  }
});

test('encodePath encodes each segment as encodeURIComponent does, and keeps plain paths as they are', () => {
  for (const path of [
    '/store/mc/file1.root',
    "/a/(x)!*'~/b",
    '/a b/c',
    '/a,b;c=d:e@f&g+h$i',
    '/café',
    '/a?b#c',
    '/%',
  ]) {
    assert.equal(encodePath(path), path.split('/').map(encodeURIComponent).join('/'), path);
  }
});
