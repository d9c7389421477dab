import assert from "node:assert/strict";
import { ProviderContext, recordedTarget } from "../../../provider/client/context";

/**
 * Refresh and destroy run no program: where they go comes from the outputs (recordedTarget), and the
 * trustedEndpoints recorded there count only while the stack names the endpoint recorded with them.
 */
describe("provider/client/context: recordedTarget, for both resources", () => {
    const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const EVIL = "https://kms.attacker.example";
    const stackNaming = (endpoint?: string): ProviderContext => ({
        settings: endpoint ? { endpoint, endpointKey: "pulumi-kms-byok:endpoint" } : {},
        env: {},
        log: () => undefined,
    });

    it("an edited state cannot trust the stack's endpoint: a rotation that recorded no endpoint (null)", () => {
        const olds = { keyArn: KEY_ARN, endpoint: null, trustedEndpoints: [EVIL] };
        assert.equal(recordedTarget(stackNaming(EVIL), olds).trustedEndpoints, undefined);
    });

    it("a material's recorded trustedEndpoints count while the stack names the endpoint of the last import", () => {
        const olds = { keyArn: KEY_ARN, endpoint: null, kmsEndpoint: EVIL, trustedEndpoints: [EVIL] };
        assert.deepEqual(recordedTarget(stackNaming(EVIL), olds).trustedEndpoints, [EVIL]);
        assert.equal(recordedTarget(stackNaming(), olds).trustedEndpoints, undefined);
        assert.equal(recordedTarget(stackNaming(), olds).kmsEndpoint, EVIL, "the call still goes there, judged");
    });

    it("a state written before endpoints were recorded keeps what it has (it holds no trustedEndpoints)", () => {
        const olds = { keyArn: KEY_ARN };
        assert.deepEqual(recordedTarget(stackNaming(EVIL), olds), {
            keyId: KEY_ARN,
            endpoint: undefined,
            profile: undefined,
            assumeRole: undefined,
            kmsEndpoint: undefined,
            trustedEndpoints: undefined,
        });
    });
});
