// Tests are written in TypeScript under test/ and compiled with the rest (npm test runs tsc first).
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/dist/test"],
  testMatch: ["**/*.test.js"],
  transform: {},
  testTimeout: 60000,
};
