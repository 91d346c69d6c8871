import { expect, it } from "vitest";
import { PACKAGE } from "./index.js";
it("loads", () => { expect(PACKAGE).toBe("core"); });
