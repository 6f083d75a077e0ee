// Compiled (never run) against the types openapi-typescript generates from the binary's document:
// if a schema loses a field or changes its type, this stops compiling and the openapi_client test fails.
import type { components, operations, paths } from "./shop-api";

type Order = components["schemas"]["Order"];
type Checkout = operations["createCheckout"]["requestBody"]["content"]["application/json"];
type Placed = paths["/api/v1/checkout"]["post"]["responses"][201]["content"]["application/json"];
type Problem = components["schemas"]["Problem"];

const request: Checkout = {
  cart_id: "cart_01JDQ6V3M2Z8K4T7W9XB5C0N1R",
  email: "ann@example.com",
  shipping_address: { name: "Ann", line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
  shipping_method: "standard",
};

function total(order: Order): number {
  return order.total.amount;
}

function describe(placed: Placed, problem: Problem): string {
  const lines: string[] = placed.lines.map((l) => `${l.quantity} x ${l.sku}`);
  return `${placed.id} ${placed.status} ${total(placed)} ${lines.join(", ")} ${problem.code}`;
}

export { request, describe };
