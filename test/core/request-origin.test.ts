/** Which Host and Origin headers a listener answers (request-origin.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostName, hostRefusal, normalizeOrigin, originRefusal, parseHosts, parseOrigins } from '../../src/request-origin.ts';

const policy = (listenHost: string, allowHosts: string[] = []) => ({ listenHost, allowHosts, allowOrigins: [] });

test('hostName: lower case, without port, brackets or a trailing dot; null for what no client sends', () => {
  assert.equal(hostName('Example.COM:8080'), 'example.com');
  assert.equal(hostName('evil.example.'), 'evil.example');
  assert.equal(hostName('[::1]:9464'), '::1');
  assert.equal(hostName('127.0.0.1'), '127.0.0.1');
  for (const bad of ['', 'a b', 'user@host', 'host:port', '[zz]']) assert.equal(hostName(bad), null, bad);
  assert.equal(hostName(undefined), null);
});

test('a Host is answered when it names the listening address, localhost or an allowed name', () => {
  assert.equal(hostRefusal('127.0.0.1:9464', policy('127.0.0.1')), null);
  assert.equal(hostRefusal('localhost:9464', policy('127.0.0.1')), null);
  assert.equal(hostRefusal('stressd:9464', policy('127.0.0.1', ['stressd'])), null);
  assert.match(hostRefusal('evil.example:9464', policy('127.0.0.1')) ?? '', /^Host "evil\.example" is not this server's address \(127\.0\.0\.1\)/);
  assert.notEqual(hostRefusal('10.0.0.7', policy('127.0.0.1')), null, 'an address it does not listen on');
  assert.equal(hostRefusal(undefined, policy('127.0.0.1')), 'the request has no Host header');
});

test('listening on every address, any IP literal is answered (a rebinding page always comes by name); names still are not', () => {
  assert.equal(hostRefusal('10.0.0.7:9464', policy('0.0.0.0')), null);
  assert.equal(hostRefusal('[fd00::7]:9464', policy('::')), null);
  assert.notEqual(hostRefusal('evil.example:9464', policy('0.0.0.0')), null);
  assert.equal(hostRefusal('[::1]:1', policy('localhost')), null, 'listening on localhost answers its loopback addresses');
});

test('origins compare in the form browsers send them', () => {
  assert.equal(normalizeOrigin('HTTP://127.0.0.1:80/'), 'http://127.0.0.1');
  assert.equal(normalizeOrigin('https://stressd.example:443'), 'https://stressd.example');
  for (const bad of ['null', 'file:///x', 'http://a/path', 'http://a?x=1', 'evil.example', 'http://u@a']) assert.equal(normalizeOrigin(bad), null, bad);
  const allowed = { allowOrigins: ['http://127.0.0.1:8080'] };
  assert.equal(originRefusal(undefined, allowed), null, 'a program sends no Origin');
  assert.equal(originRefusal('http://127.0.0.1:8080', allowed), null);
  assert.match(originRefusal('http://127.0.0.1:8081', allowed) ?? '', /not in the allow-list/);
});

test('bad --allow-origin and --allow-host values are usage errors naming the flag and the value', () => {
  assert.deepEqual(parseOrigins(['https://Stressd.example/'], '--allow-origin'), ['https://stressd.example']);
  assert.throws(() => parseOrigins(['stressd.example'], '--allow-origin'), /--allow-origin: expected an origin .* found "stressd\.example"/);
  assert.deepEqual(parseHosts(['Stressd.Internal', '[::1]'], '--allow-host'), ['stressd.internal', '::1']);
  assert.throws(() => parseHosts(['stressd:9464'], '--allow-host'), /--allow-host: expected a host name without port, such as stressd\.internal, found "stressd:9464"/);
});
