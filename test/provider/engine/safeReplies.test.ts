import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Redactor, WITHHELD } from "../../../provider/checks/redaction";
import { safeError, safeText } from "../../../provider/engine/safeReplies";

/**
 * What the provider says to the engine: secrets masked, then every error in the graph made safe for a
 * terminal (a service's words quoted and capped, control characters escaped), the same objects kept.
 */
describe("provider/engine/safeReplies", () => {
    const material = randomBytes(32).toString("base64");
    const redactor = () => {
        const r = new Redactor();
        r.addMaterialText(material);
        return r;
    };
    const hostile = "\u001b]52;c;ZXZpbA==\u0007\r\nerror: forged line";

    it("escapes control characters and masks the material in plain text", () => {
        const said = safeText(redactor(), `got ${material}${hostile}`);
        assert.ok(!said.includes(material) && !said.includes("\u001b") && !said.includes("\n"), said);
        assert.match(said, /^got \[secret\]/);
    });

    it("makes every error of the graph safe in place: cause chain, AggregateError members, a service's error", () => {
        const service = Object.assign(new Error(`${hostile}${"A".repeat(2000)}`), {
            name: "AccessDeniedException",
            $metadata: { httpStatusCode: 400 },
        });
        const inner = new Error(`inner ${material}${hostile}`, { cause: service });
        const aggregate = new AggregateError([inner], "several failed");
        const outer = new Error("outer", { cause: aggregate });
        assert.equal(safeError(redactor(), outer), outer, "the same object, its class kept");
        for (const e of [inner, service])
            for (const text of [e.message, e.stack ?? ""])
                assert.ok(!text.includes("\u001b") && !text.includes("\r") && !text.includes(material), text);
        assert.ok(service.message.length < 600, "a service's message is quoted and capped");
        assert.ok(inner.stack?.startsWith(`Error: inner [secret]`), inner.stack);
    });

    it("replaces an error it cannot rewrite (frozen) by the fixed text, never the original", () => {
        const frozen = Object.freeze(new Error(`frozen ${hostile}`));
        const safe = safeError(redactor(), frozen) as Error;
        assert.notEqual(safe, frozen);
        assert.equal(safe.message, WITHHELD);
    });
});
