import type { Config } from "../config/env.js";
import type { ReviewEngine } from "./engine.js";
import { createOpenAiEngine } from "./openai-engine.js";
import { createRuleBasedEngine } from "./rule-based-engine.js";

/** The configured AI provider, or the built-in reviewer so the app works out of the box. */
export function chooseEngine(config: Config): ReviewEngine {
  if (config.AI_BASE_URL && config.AI_API_KEY && config.AI_MODEL) {
    return createOpenAiEngine({
      baseUrl: config.AI_BASE_URL,
      apiKey: config.AI_API_KEY,
      model: config.AI_MODEL,
      contextTokens: config.AI_CONTEXT_TOKENS,
    });
  }
  return createRuleBasedEngine({ botName: config.BOT_NAME });
}
