import { formatLeakReport, leakRegistry, summarizeLeakReport } from "./leakScan";
import { recordProviderCalls } from "./providerCalls";

/**
 * Mocha root hook plugin (loaded through `.mocharc.json` "require"): records in-process provider calls from
 * the start, and after the whole suite searches every artifact the suite registered for every key material
 * it used. Any hit fails the run, naming the artifact, the form and the material (never its bytes).
 */

recordProviderCalls(leakRegistry);
leakRegistry.hookInstalled = true;

export const mochaHooks = {
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(120_000);
        const started = Date.now();
        const report = await leakRegistry.scan();
        console.log(`\n  ${summarizeLeakReport(report)} in ${Date.now() - started} ms`);
        if (report.hits.length > 0) throw new Error(formatLeakReport(report));
    },
};
