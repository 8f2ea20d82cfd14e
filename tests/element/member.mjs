// A member on Element's own crypto stack: matrix-js-sdk with its Rust crypto
// (@matrix-org/matrix-sdk-crypto-wasm), driven by the Python tests (devtools/element.py).
//
// Protocol: one JSON object per line. In on stdin: {"id", "cmd", ...args}. Out on stdout:
// {"id", "result"} or {"id", "error"} for each command, and {"event": {...}} for every
// timeline event as this member's client sees it (again after each decryption attempt).
// Everything the SDK logs goes to stderr, so stdout stays the protocol.

import { createInterface } from "node:readline";

for (const level of ["log", "info", "debug", "warn", "trace"]) {
    console[level] = (...args) => console.error(...args);
}

// matrix-js-sdk 43 asks for Node 22; the one thing it uses from 22 is this (Node 20 here).
if (!Promise.withResolvers) {
    Promise.withResolvers = function withResolvers() {
        let resolve, reject;
        const promise = new this((yes, no) => { resolve = yes; reject = no; });
        return { promise, resolve, reject };
    };
}

const sdk = await import("matrix-js-sdk");
const { logger } = await import("matrix-js-sdk/lib/logger.js");
const crypto = await import("matrix-js-sdk/lib/crypto-api/index.js");
logger.setLevel(process.env.MINGA_ELEMENT_LOG || "warn");

let client = null;
let me = null;
let password = null;
let verification = null; // {request, verifier, done, shown}

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + "\n");
}

function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

function waitFor(check, ms, what) {
    return withTimeout(new Promise((resolve) => {
        const poll = () => {
            const value = check();
            if (value) resolve(value);
            else setTimeout(poll, 50);
        };
        poll();
    }), ms, what);
}

async function shieldOf(event) {
    if (!event.isEncrypted()) return { colour: "NONE", reason: null };
    const info = await client.getCrypto().getEncryptionInfoForEvent(event);
    if (!info) return { colour: "UNKNOWN", reason: null };
    return {
        colour: crypto.EventShieldColour[info.shieldColour],
        reason: info.shieldReason === null ? null : crypto.EventShieldReason[info.shieldReason],
    };
}

async function report(event) {
    const roomId = event.getRoomId();
    if (!roomId || !event.getId() || event.getId().startsWith("~")) return;
    const failure = event.isDecryptionFailure() ? (event.decryptionFailureReason || "failed") : null;
    emit({
        event: {
            room_id: roomId,
            event_id: event.getId(),
            sender: event.getSender(),
            type: event.getType(),
            content: event.getContent(),
            encrypted: event.isEncrypted(),
            // Relations stay in clear on encrypted events: a reply is known even undecrypted.
            wire_relates: event.getWireContent()["m.relates_to"] ?? null,
            failure,
            shield: failure ? null : await shieldOf(event),
        },
    });
}

function sasPayload(sas) {
    return {
        emoji: (sas.emoji || []).map(([symbol, name]) => [symbol, name]),
        decimal: sas.decimal || null,
    };
}

const commands = {
    async start({ base_url, user_id, password: pw, device_name, cross_signing }) {
        me = user_id;
        password = pw;
        const anon = sdk.createClient({ baseUrl: base_url });
        const login = await anon.loginRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: user_id },
            password: pw,
            initial_device_display_name: device_name,
        });
        anon.stopClient();
        client = sdk.createClient({
            baseUrl: base_url, userId: login.user_id, accessToken: login.access_token,
            deviceId: login.device_id,
        });
        await client.initRustCrypto({ useIndexedDB: false });
        client.on(sdk.RoomEvent.Timeline, (event, room, toStart, removed, data) => {
            if (toStart || !data || !data.liveEvent) return;
            if (event.isEncrypted() && event.isBeingDecrypted()) return; // reported on Decrypted
            report(event).catch((err) => console.error("report failed", err));
        });
        client.on(sdk.MatrixEventEvent.Decrypted, (event) => {
            report(event).catch((err) => console.error("report failed", err));
        });
        client.on(sdk.RoomMemberEvent.Membership, (event, member) => {
            if (member.userId === me && member.membership === "invite") {
                client.joinRoom(member.roomId).catch((err) => console.error("join failed", err));
            }
        });
        const prepared = new Promise((resolve) => {
            client.on(sdk.ClientEvent.Sync, (state) => {
                if (state === "PREPARED" || state === "SYNCING") resolve();
            });
        });
        await client.startClient({ initialSyncLimit: 20 });
        await withTimeout(prepared, 30000, "first sync");
        if (cross_signing) {
            await client.getCrypto().bootstrapCrossSigning({
                authUploadDeviceSigningKeys: async (makeRequest) => {
                    await makeRequest({
                        type: "m.login.password",
                        identifier: { type: "m.id.user", user: me },
                        password,
                    });
                },
            });
        }
        return { device_id: login.device_id };
    },

    async create_room({ invite, encrypted, name, is_direct }) {
        const initial_state = encrypted
            ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }]
            : [];
        const created = await client.createRoom({
            visibility: "private", name, invite, initial_state, is_direct: Boolean(is_direct),
            preset: is_direct ? "trusted_private_chat" : "private_chat",
        });
        await waitFor(() => client.getRoom(created.room_id), 15000, "room in sync");
        return { room_id: created.room_id };
    },

    async members({ room_id }) {
        const room = client.getRoom(room_id);
        if (!room) return {};
        return Object.fromEntries(room.getMembers().map((m) => [m.userId, m.membership]));
    },

    async send({ room_id, body, msgtype }) {
        const sent = await client.sendMessage(room_id, { msgtype: msgtype || "m.text", body });
        return { event_id: sent.event_id };
    },

    async set_trust({ isolation, blacklist_unverified }) {
        const api = client.getCrypto();
        api.setDeviceIsolationMode(isolation === "only_signed"
            ? new crypto.OnlySignedDevicesIsolationMode()
            : new crypto.AllDevicesIsolationMode(true));
        api.globalBlacklistUnverifiedDevices = Boolean(blacklist_unverified);
        return {};
    },

    async shield({ room_id, event_id }) {
        const event = client.getRoom(room_id)?.findEventById(event_id);
        if (!event) throw new Error(`no event ${event_id}`);
        return await shieldOf(event);
    },

    async user_status({ user_id }) {
        const api = client.getCrypto();
        await api.getUserDeviceInfo([user_id], true);
        const status = await api.getUserVerificationStatus(user_id);
        return {
            is_verified: status.isVerified(),
            cross_signing_verified: status.isCrossSigningVerified(),
            was_verified: status.wasCrossSigningVerified(),
            needs_approval: status.needsUserApproval,
        };
    },

    async device_status({ user_id, device_id }) {
        const status = await client.getCrypto().getDeviceVerificationStatus(user_id, device_id);
        if (!status) return null;
        return {
            is_verified: status.isVerified(),
            signed_by_owner: status.signedByOwner,
            cross_signing_verified: status.crossSigningVerified,
        };
    },

    // SAS with another user: in their DM (room_id) the way Element's "Verify" does, or to
    // one of their devices (device_id). Resolves once the emoji are there to compare.
    async verify_start({ user_id, room_id, device_id, timeout_ms }) {
        const api = client.getCrypto();
        await api.getUserDeviceInfo([user_id], true);
        const request = room_id
            ? await api.requestVerificationDM(user_id, room_id)
            : await api.requestDeviceVerification(user_id, device_id);
        const limit = timeout_ms || 20000;
        await waitFor(() => request.phase === crypto.VerificationPhase.Ready
            || request.phase === crypto.VerificationPhase.Cancelled, limit, "ready");
        if (request.phase === crypto.VerificationPhase.Cancelled) {
            throw new Error(`cancelled before ready: ${request.cancellationCode}`);
        }
        const verifier = await request.startVerification("m.sas.v1");
        const shown = new Promise((resolve) => verifier.once(crypto.VerifierEvent.ShowSas, resolve));
        const done = verifier.verify().then(() => "done", (err) => `cancelled: ${err?.message || err}`);
        const sas = await withTimeout(Promise.race([shown, done.then((r) => { throw new Error(r); })]),
            limit, "emoji");
        verification = { request, verifier, done, sas };
        return { transaction_id: request.transactionId, ...sasPayload(sas.sas) };
    },

    async verify_confirm({ match, timeout_ms }) {
        if (!verification) throw new Error("no verification in progress");
        const { request, done, sas } = verification;
        if (match) await sas.confirm();
        else sas.mismatch();
        const outcome = await withTimeout(done, timeout_ms || 20000, "verification end");
        verification = null;
        return {
            outcome,
            phase: crypto.VerificationPhase[request.phase],
            cancellation: request.cancellationCode,
        };
    },

    async stop() {
        client?.stopClient();
        setTimeout(() => process.exit(0), 50);
        return {};
    },
};

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
    let message;
    try {
        message = JSON.parse(line);
    } catch {
        return;
    }
    const handler = commands[message.cmd];
    try {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        emit({ id: message.id, result: (await handler(message)) ?? null });
    } catch (err) {
        emit({ id: message.id, error: String(err?.message || err) });
    }
});
lines.on("close", () => {
    client?.stopClient();
    process.exit(0);
});
