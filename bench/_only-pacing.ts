import { benchPacing } from "./pacing.js";
await benchPacing();
