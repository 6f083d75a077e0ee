#!/usr/bin/env node
// A local fake of the Stripe API endpoints shop uses (PaymentIntents, Refunds), for tests: there is
// no network here. It behaves as Stripe documents for its test payment methods, replays
// Idempotency-Keys, and posts webhook events signed by the official `stripe` npm package.
//
// Usage: node fake_stripe.cjs   (env: FAKE_STRIPE_SECRET_KEY, FAKE_STRIPE_WEBHOOK_SECRET,
//                                FAKE_STRIPE_WEBHOOK_URL (optional), FAKE_STRIPE_PORT (0 = any))
// Prints "listening <port>" once ready.
//
// Test payment methods: pm_card_visa, pm_card_mastercard (succeed), pm_card_chargeDeclined (declined),
// pm_card_chargeDeclinedInsufficientFunds, pm_card_authenticationRequired (3-D Secure: requires_action;
// POST /fake/3ds/<pi> with result=succeed|fail completes it).
// Test controls: POST /fake/webhooks with mode=send|hold (hold keeps events until mode=send flushes
// them, so a test can make the client's confirmation arrive first) and url=<where events go>; GET /fake/intents/<pi> returns
// the intent with the number of captures and refunds the fake performed.
'use strict';
const http = require('http');
const path = require('path');
const crypto = require('crypto');
const Stripe = require(path.join(__dirname, '..', '..', 'tools', 'node_modules', 'stripe'));

const secretKey = process.env.FAKE_STRIPE_SECRET_KEY || 'sk_test_fake';
const webhookSecret = process.env.FAKE_STRIPE_WEBHOOK_SECRET || 'whsec_fake';
let webhookUrl = process.env.FAKE_STRIPE_WEBHOOK_URL || '';
const stripe = new Stripe(secretKey);

const intents = new Map();   // id -> intent object
const counters = new Map();  // id -> {captures, refunds, cancels}
const idempotent = new Map();  // key -> {params, status, body}
let webhookMode = 'send';
const held = [];
let seq = 0;

const cards = {
    pm_card_visa: {brand: 'visa', last4: '4242'},
    pm_card_mastercard: {brand: 'mastercard', last4: '4444'},
    pm_card_chargeDeclined: {brand: 'visa', last4: '0002', decline: 'generic_decline'},
    pm_card_chargeDeclinedInsufficientFunds: {brand: 'visa', last4: '9995', decline: 'insufficient_funds'},
    pm_card_authenticationRequired: {brand: 'visa', last4: '3184', threeDS: true},
};

function id(prefix) {
    seq += 1;
    return `${prefix}_${crypto.randomBytes(8).toString('hex')}${seq}`;
}

function parseForm(body) {
    const out = {metadata: {}, expand: []};
    for (const [k, v] of new URLSearchParams(body)) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) out.metadata[m[1]] = v;
        else if (k === 'expand[]') out.expand.push(v);
        else if (k.endsWith('[]')) (out[k.slice(0, -2)] = out[k.slice(0, -2)] || []).push(v);
        else out[k] = v;
    }
    return out;
}

function error(res, status, type, code, message, extra) {
    send(res, status, {error: Object.assign({type, code, message}, extra || {})});
}

function send(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)});
    res.end(text);
}

function view(pi) {
    const copy = JSON.parse(JSON.stringify(pi));
    copy.payment_method = {id: pi._pm, object: 'payment_method', card: cards[pi._pm] ? {brand: cards[pi._pm].brand, last4: cards[pi._pm].last4} : null};
    delete copy._pm;
    delete copy._manual;
    delete copy._refunded;
    return copy;
}

function emit(type, object) {
    if (!webhookUrl) return;
    const event = {id: id('evt'), object: 'event', type, created: Math.floor(Date.now() / 1000), data: {object}};
    held.push(event);
    if (webhookMode === 'send') flush();
}

function flush() {
    while (held.length) post(held.shift());
}

function post(event) {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({payload, secret: webhookSecret});
    const url = new URL(webhookUrl);
    const req = http.request({hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST',
                              headers: {'Content-Type': 'application/json', 'Stripe-Signature': header,
                                        'Content-Length': Buffer.byteLength(payload)}});
    req.on('error', () => {});  // shop down: Stripe would retry later; tests deliver again if they need to
    req.end(payload);
}

function settle(pi, ok, failure) {
    if (ok) {
        if (pi._manual) {
            pi.status = 'requires_capture';
            pi.amount_capturable = pi.amount;
            emit('payment_intent.amount_capturable_updated', view(pi));
        } else {
            pi.status = 'succeeded';
            pi.amount_received = pi.amount;
            emit('payment_intent.succeeded', view(pi));
        }
        pi.next_action = null;
        pi.last_payment_error = null;
    } else {
        pi.status = 'requires_payment_method';
        pi.next_action = null;
        pi.last_payment_error = failure;
        emit('payment_intent.payment_failed', view(pi));
    }
}

function createIntent(p, base) {
    const amount = Number(p.amount);
    if (!Number.isInteger(amount) || amount < 1) return [400, {error: {type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer'}}];
    if (!/^[a-z]{3}$/.test(p.currency || '')) return [400, {error: {type: 'invalid_request_error', code: 'parameter_invalid', param: 'currency', message: 'Invalid currency'}}];
    const card = cards[p.payment_method];
    if (!card) return [400, {error: {type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${p.payment_method}'`}}];
    const pi = {id: id('pi'), object: 'payment_intent', amount, amount_capturable: 0, amount_received: 0, currency: p.currency,
                capture_method: p.capture_method === 'manual' ? 'manual' : 'automatic', status: 'processing',
                metadata: p.metadata, next_action: null, last_payment_error: null, created: Math.floor(Date.now() / 1000),
                _pm: p.payment_method, _manual: p.capture_method === 'manual', _refunded: 0};
    intents.set(pi.id, pi);
    counters.set(pi.id, {captures: 0, refunds: 0, cancels: 0});
    if (card.threeDS) {
        pi.status = 'requires_action';
        const ret = p.return_url ? `?return_url=${encodeURIComponent(p.return_url)}` : '';
        pi.next_action = {type: 'redirect_to_url', redirect_to_url: {url: `${base}/fake/3ds/${pi.id}${ret}`, return_url: p.return_url || null}};
        return [200, view(pi)];
    }
    if (card.decline) {
        settle(pi, false, {type: 'card_error', code: 'card_declined', decline_code: card.decline,
                           message: card.decline === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.'});
        return [402, {error: Object.assign({}, pi.last_payment_error, {payment_intent: view(pi)})}];
    }
    settle(pi, true);
    return [200, view(pi)];
}

function capture(pi, p) {
    if (pi.status !== 'requires_capture')
        return [400, {error: {type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
                              message: `This PaymentIntent could not be captured because it has a status of ${pi.status}.`}}];
    const amount = p.amount_to_capture === undefined ? pi.amount_capturable : Number(p.amount_to_capture);
    if (!Number.isInteger(amount) || amount < 1 || amount > pi.amount_capturable)
        return [400, {error: {type: 'invalid_request_error', code: 'amount_too_large', param: 'amount_to_capture', message: 'Invalid amount_to_capture'}}];
    counters.get(pi.id).captures += 1;
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    pi.status = 'succeeded';
    emit('payment_intent.succeeded', view(pi));
    return [200, view(pi)];
}

function cancel(pi) {
    if (!['requires_payment_method', 'requires_capture', 'requires_action', 'requires_confirmation'].includes(pi.status))
        return [400, {error: {type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
                              message: `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`}}];
    counters.get(pi.id).cancels += 1;
    pi.status = 'canceled';
    pi.amount_capturable = 0;
    pi.next_action = null;
    emit('payment_intent.canceled', view(pi));
    return [200, view(pi)];
}

function refund(p) {
    const pi = intents.get(p.payment_intent);
    if (!pi) return [400, {error: {type: 'invalid_request_error', code: 'resource_missing', param: 'payment_intent', message: 'No such payment_intent'}}];
    const left = pi.amount_received - pi._refunded;
    const amount = p.amount === undefined ? left : Number(p.amount);
    if (pi.status !== 'succeeded' || !Number.isInteger(amount) || amount < 1 || amount > left)
        return [400, {error: {type: 'invalid_request_error', code: 'charge_already_refunded', param: 'amount',
                              message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`}}];
    counters.get(pi.id).refunds += 1;
    pi._refunded += amount;
    const r = {id: id('re'), object: 'refund', amount, currency: pi.currency, payment_intent: pi.id, status: 'succeeded'};
    emit('charge.refunded', {id: id('ch'), object: 'charge', payment_intent: pi.id, amount_refunded: pi._refunded});
    return [200, r];
}

const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
        const url = new URL(req.url, 'http://fake');
        const base = `http://${req.headers.host}`;
        const p = parseForm(req.method === 'GET' ? url.searchParams.toString() : body);
        // Test controls (no auth: they stand for the buyer's browser and the test itself).
        let m;
        if (req.method === 'POST' && (m = /^\/fake\/3ds\/([^/]+)$/.exec(url.pathname))) {
            const pi = intents.get(m[1]);
            if (!pi || pi.status !== 'requires_action') return send(res, 409, {error: 'not awaiting authentication'});
            settle(pi, p.result !== 'fail', {type: 'card_error', code: 'payment_intent_authentication_failure',
                                             message: 'The provided PaymentMethod has failed authentication.'});
            return send(res, 200, view(pi));
        }
        if (req.method === 'POST' && url.pathname === '/fake/webhooks') {
            if (p.url !== undefined) webhookUrl = p.url;
            webhookMode = p.mode === 'hold' ? 'hold' : 'send';
            if (webhookMode === 'send') flush();
            return send(res, 200, {mode: webhookMode, held: held.length});
        }
        if (req.method === 'GET' && (m = /^\/fake\/intents\/([^/]+)$/.exec(url.pathname))) {
            const pi = intents.get(m[1]);
            if (!pi) return send(res, 404, {error: 'no such intent'});
            return send(res, 200, Object.assign(view(pi), counters.get(pi.id), {amount_refunded: pi._refunded}));
        }
        if (req.headers.authorization !== `Bearer ${secretKey}`)
            return error(res, 401, 'invalid_request_error', 'api_key_invalid', 'Invalid API Key provided.');
        const key = req.headers['idempotency-key'];
        if (req.method === 'POST' && key) {
            const seen = idempotent.get(key);
            if (seen) {
                if (seen.params !== req.url + '\n' + body)
                    return error(res, 400, 'idempotency_error', 'idempotency_key_in_use',
                                 'Keys for idempotent requests can only be used with the same parameters they were first used with.');
                res.setHeader('Idempotent-Replayed', 'true');
                return send(res, seen.status, seen.body);
            }
        }
        let out = [404, {error: {type: 'invalid_request_error', code: 'resource_missing', message: 'Unrecognized request URL'}}];
        if (req.method === 'POST' && url.pathname === '/v1/payment_intents') out = createIntent(p, base);
        else if (req.method === 'POST' && url.pathname === '/v1/refunds') out = refund(p);
        else if ((m = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(url.pathname))) {
            const pi = intents.get(m[1]);
            if (!pi) out = [404, {error: {type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${m[1]}'`}}];
            else if (req.method === 'GET' && !m[2]) out = [200, view(pi)];
            else if (req.method === 'POST' && m[2] === 'capture') out = capture(pi, p);
            else if (req.method === 'POST' && m[2] === 'cancel') out = cancel(pi);
        }
        if (req.method === 'POST' && key) idempotent.set(key, {params: req.url + '\n' + body, status: out[0], body: out[1]});
        send(res, out[0], out[1]);
    });
});

server.listen(Number(process.env.FAKE_STRIPE_PORT || 0), '127.0.0.1', () => {
    process.stdout.write(`listening ${server.address().port}\n`);
});
