// The app bar's menus (Components/Layout/AppBarMenu.razor) are rendered statically: a button with popovertarget opens
// a native popover, which the browser closes on a click outside or Esc. This adds what a WAI-ARIA menu button needs
// on top (https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/): the menu sits under its button, opening it focuses
// its first item (ArrowUp on the button: the last), ArrowUp/ArrowDown/Home/End and a typed letter move between items,
// Esc closes it and Tab leaves it with the focus back on the button, and aria-expanded follows. Listeners sit on the
// document, so menus re-rendered by enhanced navigation need nothing.
(() => {
    const itemsOf = menu => [...menu.querySelectorAll("[role=menuitem]")]
        .filter(item => !item.hasAttribute("disabled") && item.getAttribute("aria-disabled") !== "true");
    const buttonOf = menu => document.querySelector(`[popovertarget="${CSS.escape(menu.id)}"]`);
    const isMenu = element => element instanceof HTMLElement && element.matches("[data-menu][popover]");
    let focusLastOnOpen = false;

    function place(menu) {
        const button = buttonOf(menu);
        if (!button) return;
        const r = button.getBoundingClientRect();
        menu.style.top = `${r.bottom}px`;
        if (menu.dataset.align === "end") {
            menu.style.left = "auto";
            menu.style.right = `${document.documentElement.clientWidth - r.right}px`;
        } else {
            menu.style.right = "auto";
            menu.style.left = `${r.left}px`;
        }
    }

    function focusItem(menu, last) {
        const items = itemsOf(menu);
        (last ? items[items.length - 1] : items[0])?.focus();
    }

    document.addEventListener("beforetoggle", e => {
        if (isMenu(e.target) && e.newState === "open") place(e.target);
    }, true); // toggle events do not bubble: listen while they are captured

    document.addEventListener("toggle", e => {
        const menu = e.target;
        if (!isMenu(menu)) return;
        const button = buttonOf(menu);
        const open = e.newState === "open";
        button?.setAttribute("aria-expanded", String(open));
        if (open) {
            focusItem(menu, focusLastOnOpen);
            focusLastOnOpen = false;
        } else if (button && (menu.contains(document.activeElement) || document.activeElement === document.body || document.activeElement === null)) {
            button.focus(); // closed from inside (Esc, an item): the focus goes back where it came from
        }
    }, true);

    document.addEventListener("keydown", e => {
        const target = e.target;
        if (!(target instanceof Element)) return;

        const button = target.closest("[data-menu-button]");
        if (button) {
            if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
            const menu = document.getElementById(button.getAttribute("popovertarget"));
            if (!isMenu(menu)) return;
            e.preventDefault();
            if (menu.matches(":popover-open")) {
                focusItem(menu, e.key === "ArrowUp");
            } else {
                focusLastOnOpen = e.key === "ArrowUp";
                menu.showPopover();
            }
            return;
        }

        const menu = target.closest("[data-menu]");
        if (!isMenu(menu)) return;
        const items = itemsOf(menu);
        const at = items.indexOf(target.closest("[role=menuitem]"));
        let next = null;
        switch (e.key) {
            case "ArrowDown": next = items[(at + 1) % items.length]; break;
            case "ArrowUp": next = items[(at - 1 + items.length) % items.length]; break;
            case "Home": case "PageUp": next = items[0]; break;
            case "End": case "PageDown": next = items[items.length - 1]; break;
            case "Escape":
                e.preventDefault();
                menu.hidePopover();
                buttonOf(menu)?.focus();
                return;
            case "Tab":
                // Leave the menu: close it, and let the key move on from its button (Shift+Tab: before it).
                menu.hidePopover();
                buttonOf(menu)?.focus();
                return;
            case " ":
                if (target.matches("a[role=menuitem]")) { e.preventDefault(); target.click(); }
                return;
            default:
                if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
                    // Type-ahead: the next item whose text starts with the letter.
                    const letter = e.key.toLowerCase();
                    const ordered = [...items.slice(at + 1), ...items.slice(0, at + 1)];
                    next = ordered.find(item => item.textContent.trim().toLowerCase().startsWith(letter)) ?? null;
                }
        }
        if (next) {
            e.preventDefault();
            next.focus();
        }
    });

    // A chosen link closes its menu (the page changes by enhanced navigation, which keeps the popover element).
    document.addEventListener("click", e => {
        const item = e.target instanceof Element ? e.target.closest("a[role=menuitem]") : null;
        const menu = item?.closest("[data-menu]");
        if (isMenu(menu) && menu.matches(":popover-open")) menu.hidePopover();
    });

    const closeAll = () => document.querySelectorAll("[data-menu][popover]").forEach(menu => {
        if (menu.matches(":popover-open")) menu.hidePopover();
    });
    window.addEventListener("resize", () => document.querySelectorAll("[data-menu][popover]").forEach(menu => {
        if (menu.matches(":popover-open")) place(menu);
    }));
    window.Blazor?.addEventListener?.("enhancedload", closeAll);
})();
