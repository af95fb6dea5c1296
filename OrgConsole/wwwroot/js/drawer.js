// The navigation drawer is rendered statically (Components/Layout/MainLayout.razor): its toggle in the app bar opens and
// closes it here, in the browser, with the classes MudDrawer and MudLayout use. The choice lasts for the tab; enhanced
// navigation re-renders the drawer open, so it is applied again after each page load.
(() => {
    const key = "orgconsole.drawer";

    function apply(open) {
        const drawer = document.querySelector("aside[data-drawer]");
        if (!drawer) return;
        drawer.classList.toggle("mud-drawer--open", open);
        drawer.classList.toggle("mud-drawer--closed", !open);
        const layout = drawer.closest(".mud-layout");
        if (!layout) return;
        for (const name of [...layout.classList]) {
            const m = name.match(/^mud-drawer-(open|close)-(responsive-.*)$/);
            if (m) layout.classList.replace(name, `mud-drawer-${open ? "open" : "close"}-${m[2]}`);
        }
    }

    function chosen() {
        const stored = sessionStorage.getItem(key);
        return stored === null ? window.matchMedia("(min-width: 960px)").matches : stored === "open";
    }

    document.addEventListener("click", e => {
        if (!(e.target instanceof Element) || !e.target.closest("[data-drawer-toggle]")) return;
        const open = !document.querySelector("aside[data-drawer]")?.classList.contains("mud-drawer--open");
        sessionStorage.setItem(key, open ? "open" : "closed");
        apply(open);
    });

    const restore = () => apply(chosen());
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore); else restore();
    window.Blazor?.addEventListener?.("enhancedload", restore);
})();
