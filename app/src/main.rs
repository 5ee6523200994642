fn main() {
    crm_app::mount()
}
