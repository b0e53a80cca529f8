import { describe, expect, it } from "vitest";
import { repairMacRomanMojibake } from "./mojibake.ts";

describe("a title whose Windows-1252 bytes were read as Mac OS Roman", () => {
  it.each([
    ["LÈon", "Léon"],
    ["La MÙme", "La Môme"],
    ["De battre mon coeur s'est arrÍtÈ", "De battre mon coeur s'est arrêté"],
    ["Per qualche dollaro in pi˘", "Per qualche dollaro in più"],
    ["Die F‰lscher", "Die Fälscher"],
    ["Obsluhoval jsem anglickÈho kr·le", "Obsluhoval jsem anglického krále"],
    ["DÈj‡ Vu", "Déjà Vu"],
    ["The Naked Gun 2Ω: The Smell of Fear", "The Naked Gun 2½: The Smell of Fear"],
    ["I Love You Ö Don't Touch Me!", "I Love You … Don't Touch Me!"],
  ])("given %j, when repaired, then it reads %j", (garbled, fixed) => {
    expect(repairMacRomanMojibake(garbled)).toBe(fixed);
  });
});

describe("a title that is already right", () => {
  it.each([
    ["Alien³", "a character Mac OS Roman does not have"],
    ["Ri¢hie Ri¢h", "a symbol that reads the same either way"],
    ["Léon", "a small accented letter inside a word"],
    ["Être et avoir", "a capital accented letter starting a word"],
    ["Amélie", "plain French"],
    ["The Land Girls", "plain ASCII"],
    ["Österreich", "a capital umlaut starting a word"],
  ])("given %j (%s), when repaired, then it is unchanged", (title) => {
    expect(repairMacRomanMojibake(title)).toBe(title);
  });
});
