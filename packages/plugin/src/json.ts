/** A value JSON can hold: what pattern data and metadata are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (never an array or a scalar). */
export type JsonObject = { [key: string]: JsonValue };
