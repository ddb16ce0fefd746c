/** Validators for integer fields: amounts, ids and counters are never fractions. */
export const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

// Custom validators run on null too (only undefined skips them).
export const integerOrNull = {
  validator: (v: unknown) => v === null || Number.isInteger(v),
  message: "{PATH} must be an integer or null",
};
