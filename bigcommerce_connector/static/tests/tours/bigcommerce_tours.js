import { registry } from "@web/core/registry";

// The order the admin imports with the wizard: the test checks it is an
// eligible, not yet imported order of the sandbox (seed 42).
const TOUR_ORDER_ID = "101";

registry.category("web_tour.tours").add("bigcommerce_admin_tour", {
    steps: () => [
        {
            content: "The dashboard shows the store's card",
            trigger: ".o_bigcommerce_dashboard .o_kanban_record:contains('Tour store')",
        },
        {
            content: "Open the instance from its card",
            trigger: ".o_kanban_record:contains('Tour store') a[name=open_instance]",
            run: "click",
        },
        {
            content: "Test Connection",
            trigger: ".o_form_view button[name=action_test_connection]",
            run: "click",
        },
        {
            content: "The connection works",
            trigger: ".o_notification:contains('Connection successful')",
        },
        {
            content: "Confirm",
            trigger: ".o_form_view button[name=action_confirm]:contains('Confirm')",
            run: "click",
        },
        {
            content: "Accept the go-live date (orders created before it are not booked)",
            trigger: ".modal:contains('Go-Live Date') .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The go-live banner shows the date before the first poll",
            trigger: ".o_form_view .alert:contains('Going live')",
        },
        {
            content: "Confirmed",
            trigger: ".o_form_view button[name=action_reset_to_draft]",
        },
        {
            content: "Configuration menu",
            trigger: ".o_menu_sections button:contains('Configuration'), .o_menu_sections a:contains('Configuration')",
            run: "click",
        },
        {
            content: "Payment Mappings",
            trigger: ".dropdown-item:contains('Payment Mappings')",
            run: "click",
        },
        // The list holds the mappings of every store (other suites leave
        // stores behind): the row is the tour store's, its only one so far
        // (the default row; a method gets its own row when first imported).
        {
            content: "Flag the default mapping To Review",
            trigger: ".o_list_view .o_data_row:has(td[name=instance_id]:contains('Tour store')) td[name=needs_setup] input:not(:checked)",
            run: "click",
        },
        {
            content: "The toggle saved",
            trigger: ".o_list_view .o_data_row:has(td[name=instance_id]:contains('Tour store')) td[name=needs_setup] input:checked",
        },
        {
            content: "Operations menu",
            trigger: ".o_menu_sections button:contains('Operations'), .o_menu_sections a:contains('Operations')",
            run: "click",
        },
        {
            content: "Import wizard",
            trigger: ".dropdown-item:contains('Import')",
            run: "click",
        },
        {
            content: "Choose the store",
            trigger: ".modal .o_field_widget[name=instance_id] input",
            run: "edit Tour",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour store')",
            run: "click",
        },
        {
            content: "The order's id",
            trigger: ".modal .o_field_widget[name=bigcommerce_ids] input",
            run: `edit ${TOUR_ORDER_ID}`,
        },
        {
            content: "Import",
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            content: "Back to the dashboard",
            trigger: "body:not(:has(.modal)) .o_menu_sections a:contains('Dashboard'), body:not(:has(.modal)) .o_menu_sections button:contains('Dashboard')",
            run: "click",
        },
        {
            content: "The imported order is counted",
            trigger: ".o_kanban_record:contains('Tour store') .o_bigcommerce_synced a:contains('Orders'):contains('1')",
        },
        {
            content: "Open the imported orders from the card",
            trigger: ".o_kanban_record:contains('Tour store') .o_bigcommerce_synced a:contains('Orders')",
            run: "click",
        },
        {
            content: "Open the order",
            trigger: `.o_list_view .o_data_row:contains('${TOUR_ORDER_ID}') td[name=bigcommerce_id]`,
            run: "click",
        },
        {
            content: "The order's form",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Imported')",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_menu_sections a:contains('Dashboard'), .o_menu_sections button:contains('Dashboard')",
            run: "click",
        },
        {
            content: "The failed order is counted",
            trigger: ".o_kanban_record:contains('Tour store') .o_bigcommerce_attention a:contains('Orders failed'):contains('1')",
            run: "click",
        },
        {
            content: "Open the failed order",
            trigger: ".o_list_view .o_data_row:contains('Failed') td[name=bigcommerce_id]",
            run: "click",
        },
        {
            content: "Retry",
            trigger: ".o_form_view button[name=action_retry]",
            run: "click",
        },
        {
            content: "Imported on retry",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Imported')",
        },
    ],
});

registry.category("web_tour.tours").add("bigcommerce_user_tour", {
    steps: () => [
        {
            content: "The dashboard renders the card and its counters",
            trigger: ".o_bigcommerce_dashboard .o_kanban_record:contains('Tour store') .o_bigcommerce_attention a:contains('Orders failed'):contains('1')",
        },
        {
            content: "Open the instance",
            trigger: ".o_kanban_record:contains('Tour store') a[name=open_instance]",
            run: "click",
        },
        {
            content: "No credentials and no administrator buttons",
            trigger: ".o_form_view .o_field_widget[name=name]",
            run() {
                const form = document.querySelector(".o_form_view");
                for (const selector of [
                    "[name=store_hash]",
                    "[name=access_token]",
                    "[name=client_secret]",
                    "[name=api_url]",
                    "button[name=action_test_connection]",
                    "button[name=action_confirm]",
                    "button[name=action_reset_to_draft]",
                    "button[name=action_reconcile_last_week]",
                ]) {
                    if (form.querySelector(selector)) {
                        throw new Error(`A BigCommerce User sees ${selector}`);
                    }
                }
            },
        },
    ],
});

// No store configured: the dashboard's first-store panel and its links.
registry.category("web_tour.tours").add("bigcommerce_first_store_tour", {
    steps: () => [
        {
            content: "The dashboard shows the first-store panel",
            trigger: ".o_view_nocontent .o_bigcommerce_first_store:contains('Connect your first BigCommerce store')",
        },
        {
            content: "Five steps, each linking to a new store's form",
            trigger: ".o_bigcommerce_first_store ol",
            run() {
                const links = [
                    ...document.querySelectorAll(".o_bigcommerce_first_store ol > li a"),
                ];
                const hrefs = links.map((link) => link.getAttribute("href"));
                if (
                    links.length !== 5 ||
                    hrefs.some((href) => href !== "/odoo/bigcommerce-stores/new")
                ) {
                    throw new Error(`Unexpected step links: ${hrefs}`);
                }
            },
        },
        {
            content: "Follow the store hash step",
            trigger: ".o_bigcommerce_first_store a.o_bigcommerce_step_store_hash",
            run: "click",
        },
        {
            content: "A new store's form",
            trigger: ".o_breadcrumb .active:contains('New')",
        },
        {
            content: "with the store hash, the token and the two buttons of the steps",
            trigger: ".o_form_view .o_field_widget[name=store_hash] input",
            run() {
                const form = document.querySelector(".o_form_view");
                for (const selector of [
                    ".o_field_widget[name=access_token] input",
                    "button[name=action_test_connection]",
                    "button[name=action_confirm]",
                ]) {
                    if (!form.querySelector(selector)) {
                        throw new Error(`The new store's form lacks ${selector}`);
                    }
                }
            },
        },
    ],
});
